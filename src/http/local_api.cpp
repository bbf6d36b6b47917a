#include "http/local_api.hpp"

#include <future>

#include "http/api.hpp"

namespace herald::http {

LocalApi::LocalApi(AppContext context) : api_(std::make_unique<Api>(context, ServerSettings{})) {}
LocalApi::~LocalApi() = default;

LocalApi::Answer LocalApi::Call(domain::AccountId account, std::string_view method,
                                std::string_view path, std::string_view query,
                                std::string_view body, std::string_view content_type) {
    Request request;
    request.content_type = content_type;
    request.method = method;
    request.path = path;
    request.query = query;
    request.body = body;
    request.remote = "local";
    Response response = api_->HandleAs(request, api_->Find(request), account);
    if (response.deferred) {
        // publish-now answers from the dispatcher's settler thread; the CLI has nothing else
        // to do meanwhile.
        std::promise<Response> answered;
        auto final_answer = answered.get_future();
        response.deferred([&answered](Response r) { answered.set_value(std::move(r)); });
        response = final_answer.get();
    }
    return Answer{response.status, std::move(response.body)};
}

}  // namespace herald::http
