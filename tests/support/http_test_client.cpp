#include "support/http_test_client.hpp"

#include <optional>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace herald::testing {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

HttpResult ToResult(bhttp::response<bhttp::string_body>&& response) {
    HttpResult result;
    result.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        result.headers[name] = std::string(field.value());
    }
    result.body = std::move(response.body());
    if (!result.body.empty()) {
        result.json = nlohmann::json::parse(result.body, nullptr, /*allow_exceptions=*/false);
        if (result.json.is_discarded()) result.json = nullptr;
    }
    return result;
}

}  // namespace

struct HttpTestClient::Impl {
    net::io_context ioc;
    std::optional<tcp::socket> socket;
    beast::flat_buffer buffer;
};

HttpTestClient::HttpTestClient(std::string host, uint16_t port)
    : impl_(std::make_unique<Impl>()), host_(std::move(host)), port_(port) {}

HttpTestClient::~HttpTestClient() = default;

HttpResult HttpTestClient::Send(const std::string& method, const std::string& target,
                                std::string body,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
    bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), target, 11};
    request.set(bhttp::field::host, host_ + ":" + std::to_string(port_));
    if (!api_key_.empty()) request.set(bhttp::field::authorization, "Api-Key " + api_key_);
    if (!body.empty()) request.set(bhttp::field::content_type, "application/json");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.keep_alive(true);
    request.prepare_payload();

    // One retry: the server may have closed an idle keep-alive connection.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const bool reused = impl_->socket.has_value();
        if (!impl_->socket) {
            impl_->socket.emplace(impl_->ioc);
            impl_->socket->connect(tcp::endpoint(net::ip::make_address(host_), port_));
            impl_->buffer.clear();
            ++connections_;
        }
        beast::error_code ec;
        bhttp::write(*impl_->socket, request, ec);
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(256 * 1024 * 1024);
        if (!ec) bhttp::read(*impl_->socket, impl_->buffer, parser, ec);
        // A write error with an answer already waiting (e.g. 413 before the body was
        // consumed) still gives a response; try to read it.
        if (ec && ec != bhttp::error::end_of_stream && !parser.is_header_done()) {
            beast::error_code read_ec;
            bhttp::read(*impl_->socket, impl_->buffer, parser, read_ec);
            if (!read_ec) ec = {};
        }
        if (ec) {
            impl_->socket.reset();
            if (reused) continue;
            throw std::runtime_error("HTTP request failed: " + ec.message());
        }
        auto response = parser.release();
        const bool keep = response.keep_alive();
        HttpResult result = ToResult(std::move(response));
        if (!keep) impl_->socket.reset();
        return result;
    }
    throw std::runtime_error("HTTP request failed after reconnecting");
}

std::vector<HttpResult> HttpTestClient::SendRaw(const std::string& raw, int responses) {
    tcp::socket socket(impl_->ioc);
    socket.connect(tcp::endpoint(net::ip::make_address(host_), port_));
    ++connections_;
    net::write(socket, net::buffer(raw));
    beast::flat_buffer buffer;
    std::vector<HttpResult> results;
    for (int i = 0; i < responses; ++i) {
        bhttp::response_parser<bhttp::string_body> parser;
        beast::error_code ec;
        bhttp::read(socket, buffer, parser, ec);
        if (ec) break;
        results.push_back(ToResult(parser.release()));
    }
    return results;
}

}  // namespace herald::testing
