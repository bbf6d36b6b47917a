#include "http/csv.hpp"

namespace herald::http {
namespace {

Error Malformed(size_t line, std::string_view what) {
    return Error::Invalid("malformed_csv", "The CSV is malformed at line " + std::to_string(line) +
                                               ": " + std::string(what) + ".");
}

bool NeedsQuotes(std::string_view cell) {
    if (cell.empty()) return false;
    if (cell.front() == ' ' || cell.back() == ' ' || cell.front() == '\t' || cell.back() == '\t')
        return true;
    return cell.find_first_of(",\"\r\n") != std::string_view::npos;
}

}  // namespace

Result<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
    std::vector<CsvRecord> records;
    size_t line = 1;
    size_t i = 0;
    const size_t n = text.size();
    while (i < n) {
        // A blank line (or the final line end) holds no record.
        if (text[i] == '\n' || text[i] == '\r') {
            if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
            ++i;
            ++line;
            continue;
        }
        CsvRecord record;
        record.line = line;
        for (;;) {
            std::string cell;
            if (i < n && text[i] == '"') {
                const size_t opened = line;
                ++i;
                for (;;) {
                    if (i >= n) return Malformed(opened, "a quoted field is never closed");
                    const char c = text[i];
                    if (c == '"') {
                        if (i + 1 < n && text[i + 1] == '"') {
                            cell += '"';
                            i += 2;
                            continue;
                        }
                        ++i;
                        break;
                    }
                    if (c == '\n') ++line;
                    cell += c;
                    ++i;
                }
                if (i < n && text[i] != ',' && text[i] != '\r' && text[i] != '\n')
                    return Malformed(line, "text follows a closing quote");
            } else {
                while (i < n && text[i] != ',' && text[i] != '\r' && text[i] != '\n') {
                    if (text[i] == '"')
                        return Malformed(line,
                                         "a quote inside an unquoted field (quote the field)");
                    cell += text[i++];
                }
            }
            record.cells.push_back(std::move(cell));
            if (i < n && text[i] == ',') {
                ++i;
                continue;
            }
            break;  // end of line or of text
        }
        records.push_back(std::move(record));
    }
    return records;
}

void AppendCsvRecord(std::string& out, const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) out += ',';
        const std::string& cell = cells[i];
        if (!NeedsQuotes(cell)) {
            out += cell;
            continue;
        }
        out += '"';
        for (const char c : cell) {
            if (c == '"') out += '"';
            out += c;
        }
        out += '"';
    }
    out += "\r\n";
}

}  // namespace herald::http
