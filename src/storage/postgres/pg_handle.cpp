#include "storage/postgres/pg_handle.hpp"

#include <algorithm>
#include <cctype>
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

namespace {
// A `$` right after a letter, digit or `_` belongs to a name (a$1), not a parameter or quote.
bool InsideIdentifier(std::string_view sql, size_t i) {
    return i > 0 && (std::isalnum(static_cast<unsigned char>(sql[i - 1])) || sql[i - 1] == '_');
}
}  // namespace

int CountParams(std::string_view sql) {
    uint64_t used = 0;  // bit n-1: $n appears (higher numbers only raise the count)
    int highest = 0;
    const size_t n = sql.size();
    auto skip_to = [&](size_t from, std::string_view end) {
        const size_t at = sql.find(end, from);
        return at == std::string_view::npos ? n : at + end.size();
    };
    for (size_t i = 0; i < n;) {
        const char c = sql[i];
        if (c == '\'' || c == '"') {
            // '' and "" inside are an escaped quote: two literals back to back, same effect.
            i = skip_to(i + 1, std::string_view(&sql[i], 1));
        } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            i = skip_to(i + 2, "\n");
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            i = skip_to(i + 2, "*/");
        } else if (c != '$' || InsideIdentifier(sql, i)) {  // a$1 is a name, not a parameter
            ++i;
        } else if (i + 1 < n && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            int number = 0;
            for (++i; i < n && sql[i] >= '0' && sql[i] <= '9'; ++i)
                number = std::min(number * 10 + (sql[i] - '0'), 1 << 20);
            highest = std::max(highest, number);
            if (number >= 1 && number <= 64) used |= uint64_t{1} << (number - 1);
        } else {
            // A dollar quote ($$ or $tag$) runs to the same tag.
            size_t close = i + 1;
            while (close < n &&
                   (std::isalnum(static_cast<unsigned char>(sql[close])) || sql[close] == '_'))
                ++close;
            if (close < n && sql[close] == '$') {
                i = skip_to(close + 1, sql.substr(i, close + 1 - i));
            } else {
                ++i;
            }
        }
    }
    for (int k = 1; k <= std::min(highest, 64); ++k) {
        if (!(used & (uint64_t{1} << (k - 1))))
            throw StorageError("parameter $" + std::to_string(k) +
                               " is never used (the highest is $" + std::to_string(highest) +
                               ") in SQL: " + std::string(sql));
    }
    return highest;
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
