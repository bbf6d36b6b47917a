#pragma once
// CSV as RFC 4180 has it (comma-separated, fields in double quotes may hold commas, quotes
// doubled and line breaks; CRLF or LF line ends), for content import and export. Pure.
// Private to src/http/.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace herald::http {

struct CsvRecord {
    std::vector<std::string> cells;
    size_t line = 0;  // the 1-based line the record starts on
};

/// Every record of `text`; blank lines are skipped. A quote inside an unquoted field, text
/// after a closing quote or an unclosed quote is an Error (kInvalid, code "malformed_csv")
/// whose message names the line.
Result<std::vector<CsvRecord>> ParseCsv(std::string_view text);

/// Appends one record, CRLF-ended; a cell is quoted when it holds a comma, quote, CR or LF
/// or starts or ends with a blank.
void AppendCsvRecord(std::string& out, const std::vector<std::string>& cells);

}  // namespace herald::http
