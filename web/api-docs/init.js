// Renders herald's API description (docs/openapi.yaml, served as /api/v1/openapi.json) with
// Swagger UI, from files herald serves itself: no request leaves the server's origin.
window.addEventListener('load', () => {
  window.ui = window.SwaggerUIBundle({
    url: new URL('../api/v1/openapi.json', document.baseURI).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null, // the default badge asks a public validator
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
  });
});
