// The API description and its browsable page. Both are files of the built web UI: web/build.sh
// turns docs/openapi.yaml into openapi.json and copies the renderer (swagger-ui-dist from npm)
// into api-docs/, so the page needs nothing from outside this server.

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "http/errors.hpp"
#include "http/handlers/handlers.hpp"

namespace herald::http {
namespace {

std::optional<std::string> ReadWebFile(const ApiEnv& env, const char* relative) {
    if (env.web_root().empty()) return std::nullopt;
    std::ifstream in(std::filesystem::path(env.web_root()) / relative, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream data;
    data << in.rdbuf();
    return std::move(data).str();
}

Response NotBuilt() {
    return ErrorResponse(404, "docs_not_built",
                         "The API description is not built: run scripts/build.sh (or "
                         "web/build.sh), or pass --web-root DIR.");
}

}  // namespace

Response OpenApiDocument(Call& call) {
    std::optional<std::string> json = ReadWebFile(call.env, "openapi.json");
    if (!json) return NotBuilt();
    Response response;
    response.body = std::move(*json);
    response.cache_control = "no-cache";
    return response;
}

Response ApiDocsPage(Call& call) {
    std::optional<std::string> html = ReadWebFile(call.env, "api-docs/index.html");
    if (!html) return NotBuilt();
    // The page's assets are in api-docs/ of the web root (served at /api-docs/); a relative
    // base finds them from /api/docs and /api/docs/ alike, below a proxy's prefix too.
    const std::string base = call.request.path.ends_with('/') ? "../../api-docs/" : "../api-docs/";
    if (const size_t head = html->find("<head>"); head != std::string::npos)
        html->insert(head + 6, "<base href=\"" + base + "\">");
    Response response;
    response.content_type = "text/html; charset=utf-8";
    response.cache_control = "no-cache";
    response.body = std::move(*html);
    return response;
}

}  // namespace herald::http
