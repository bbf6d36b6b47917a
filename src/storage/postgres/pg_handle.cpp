#include "storage/postgres/pg_handle.hpp"

#include <charconv>
#include <cstring>

namespace herald::storage::postgres {

std::string OneLine(std::string_view message) {
    std::string line;
    line.reserve(message.size());
    bool pending_break = false;
    for (const char c : message) {
        if (c == '\n' || c == '\r') {
            pending_break = !line.empty();
            continue;
        }
        if (pending_break) {
            line += "; ";
            pending_break = false;
        }
        line += c;
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
    return line.empty() ? std::string("unknown PostgreSQL error") : line;
}

int64_t PgResult::affected() const {
    const char* text = PQcmdTuples(result_);
    int64_t n = 0;
    if (text != nullptr) std::from_chars(text, text + std::strlen(text), n);
    return n;
}

int64_t PgResult::Int(int row, int col) const {
    const char* text = PQgetvalue(result_, row, col);
    const int length = PQgetlength(result_, row, col);
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(text, text + length, v);
    if (ec != std::errc() || end != text + length)
        throw StorageError("expected an integer in column " + std::string(PQfname(result_, col)) +
                           ", got '" + std::string(text, static_cast<size_t>(length)) + "'");
    return v;
}

bool PgResult::Bool(int row, int col) const {
    const char* text = PQgetvalue(result_, row, col);
    return text[0] == 't' || text[0] == '1';
}

std::string Params::IntArray(std::span<const int64_t> values) {
    std::string text = "{";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i > 0) text += ',';
        text += std::to_string(values[i]);
    }
    text += '}';
    return Add(std::move(text));
}

std::string Params::TextArray(std::span<const std::string> values) {
    std::string text = "{";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i > 0) text += ',';
        text += '"';
        for (const char c : values[i]) {
            if (c == '"' || c == '\\') text += '\\';
            text += c;
        }
        text += '"';
    }
    text += '}';
    return Add(std::move(text));
}

std::vector<const char*> Params::Pointers() const {
    std::vector<const char*> pointers;
    pointers.reserve(values_.size());
    for (const auto& v : values_) pointers.push_back(v ? v->c_str() : nullptr);
    return pointers;
}

void ThrowConnectionError(PGconn* conn, std::string_view what) {
    const char* message = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
    throw StorageError(std::string(what) + ": " + OneLine(message));
}

PgResult CheckResult(PGconn* conn, PGresult* raw, std::string_view what) {
    PgResult result(raw);
    if (raw == nullptr) ThrowConnectionError(conn, what);
    const ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
    const char* sqlstate = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
    const char* primary = PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY);
    std::string message(what);
    message += ": ";
    message += OneLine(primary != nullptr ? primary : PQresultErrorMessage(raw));
    if (sqlstate != nullptr) message += std::string(" (SQLSTATE ") + sqlstate + ")";
    throw PgError(message, sqlstate != nullptr ? sqlstate : "");
}

}  // namespace herald::storage::postgres
