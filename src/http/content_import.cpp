// Bulk import bodies → content fields (see content_import.hpp): format detection, CSV and
// JSON lines. Markdown, front matter and zip are in markdown_import.cpp.

#include "http/content_import.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "http/csv.hpp"
#include "http/json_reader.hpp"

namespace herald::http {
namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// Offset of the first byte that is not part of well-formed UTF-8, or npos.
size_t FirstBadUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t n = 0;
        if (c < 0x80)
            n = 1;
        else if (c >= 0xC2 && c <= 0xDF)
            n = 2;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 3;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 4;
        else
            return i;
        if (i + n > s.size()) return i;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
        // Overlongs, surrogates and code points past U+10FFFF.
        const auto c1 = static_cast<unsigned char>(n > 1 ? s[i + 1] : 0);
        if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
            (c == 0xF4 && c1 > 0x8F))
            return i;
        i += n;
    }
    return std::string_view::npos;
}

ImportParse Fail(Error error, int64_t row = 0, std::string file = {}) {
    ImportParse parse;
    parse.error = ImportError{std::move(error), row, std::move(file)};
    return parse;
}

std::string ColumnList() {
    std::string out;
    for (const std::string_view column : kImportColumns) {
        if (!out.empty()) out += ", ";
        out += column;
    }
    return out;
}

bool IsListField(std::string_view name) { return name == "categories" || name == "tags"; }

/// One CSV cell into `fields` as the API would take it.
std::optional<Error> PutCell(nlohmann::json& fields, const std::string& column,
                             const std::string& cell) {
    if (IsListField(column)) {
        auto names = ParseListCell(cell, column);
        if (!names) return names.error();
        fields[column] = *names;
        return std::nullopt;
    }
    if (column == "cluster_id") {
        const std::string_view text = Trim(cell);
        if (text.empty()) return std::nullopt;
        int64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size())
            return Error::Invalid("invalid_type", "cluster_id must be an integer.", "cluster_id");
        fields[column] = value;
        return std::nullopt;
    }
    // An empty cell leaves an optional field at its default (content_type "post", no time).
    if (cell.empty() && (column == "content_type" || column == "scheduled_publish_at"))
        return std::nullopt;
    fields[column] = cell;
    return std::nullopt;
}

ImportParse ParseCsvBody(std::string_view body) {
    auto records = ParseCsv(body);
    if (!records) return Fail(records.error());
    if (records->empty()) return Fail(Error::Invalid("empty_import", "The CSV has no header row."));
    const CsvRecord& header = records->front();
    std::vector<std::string> columns;
    std::set<std::string> seen;
    for (const std::string& raw : header.cells) {
        std::string column = Lower(Trim(raw));
        if (std::find(kImportColumns.begin(), kImportColumns.end(), column) ==
            kImportColumns.end()) {
            return Fail(Error::Invalid("unknown_column",
                                       "The CSV header names an unknown column '" +
                                           std::string(Trim(raw)).substr(0, 60) +
                                           "'; columns are " + ColumnList() + ".",
                                       column));
        }
        if (!seen.insert(column).second)
            return Fail(Error::Invalid("duplicate_column",
                                       "The CSV header names '" + column + "' twice.", column));
        columns.push_back(std::move(column));
    }
    if (records->size() - 1 > kMaxImportItems)
        return Fail(Error::Invalid("too_many_items", "An import holds at most " +
                                                         std::to_string(kMaxImportItems) +
                                                         " items; split the file."));
    ImportParse parse;
    parse.items.reserve(records->size() - 1);
    for (size_t r = 1; r < records->size(); ++r) {
        const CsvRecord& record = (*records)[r];
        const auto row = static_cast<int64_t>(r);
        if (record.cells.size() != columns.size()) {
            return Fail(
                Error::Invalid("wrong_cell_count",
                               "It has " + std::to_string(record.cells.size()) + " cells (line " +
                                   std::to_string(record.line) + "); the header has " +
                                   std::to_string(columns.size()) + "."),
                row);
        }
        ImportItem item;
        item.row = row;
        item.fields = nlohmann::json::object();
        for (size_t c = 0; c < columns.size(); ++c) {
            if (auto error = PutCell(item.fields, columns[c], record.cells[c]))
                return Fail(std::move(*error), row);
        }
        parse.items.push_back(std::move(item));
    }
    return parse;
}

ImportParse ParseNdjsonBody(std::string_view body) {
    ImportParse parse;
    int64_t line_number = 0;
    size_t pos = 0;
    while (pos < body.size()) {
        size_t end = body.find('\n', pos);
        if (end == std::string_view::npos) end = body.size();
        std::string_view line = body.substr(pos, end - pos);
        pos = end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (Trim(line).empty()) continue;
        if (parse.items.size() == kMaxImportItems)
            return Fail(Error::Invalid("too_many_items", "An import holds at most " +
                                                             std::to_string(kMaxImportItems) +
                                                             " items; split the file."));
        auto object = ParseJsonObject(line);
        if (!object) {
            Error error = object.error();
            error.kind = ErrorKind::kInvalid;  // a bad row of a well-formed import: 422
            return Fail(std::move(error), line_number);
        }
        parse.items.push_back(ImportItem{line_number, {}, std::move(*object)});
    }
    return parse;
}

}  // namespace

const std::vector<std::string_view> kImportColumns = {"title",
                                                      "content_html",
                                                      "excerpt",
                                                      "slug",
                                                      "content_type",
                                                      "cluster_id",
                                                      "categories",
                                                      "tags",
                                                      "featured_image_url",
                                                      "scheduled_publish_at"};

Result<ImportFormat> ImportFormatOf(std::string_view content_type) {
    const Error unsupported{ErrorKind::kInvalid, "unsupported_media_type",
                            "Send the import as text/csv (a header row of field names), "
                            "application/x-ndjson (one content object per line), text/markdown "
                            "(one document with front matter) or application/zip (Markdown "
                            "files); UTF-8 only.",
                            ""};
    const size_t semi = content_type.find(';');
    const std::string type = Lower(Trim(content_type.substr(0, semi)));
    if (semi != std::string_view::npos) {
        // Only a charset parameter, and only UTF-8.
        std::string params = Lower(content_type.substr(semi + 1));
        params.erase(std::remove(params.begin(), params.end(), ' '), params.end());
        params.erase(std::remove(params.begin(), params.end(), '"'), params.end());
        if (params.rfind("charset=", 0) == 0 && params != "charset=utf-8") return unsupported;
    }
    if (type == "text/csv") return ImportFormat::kCsv;
    if (type == "application/x-ndjson" || type == "application/jsonl" ||
        type == "application/jsonlines")
        return ImportFormat::kNdjson;
    if (type == "text/markdown" || type == "text/x-markdown") return ImportFormat::kMarkdown;
    if (type == "application/zip" || type == "application/x-zip-compressed")
        return ImportFormat::kZip;
    return unsupported;
}

std::optional<ImportFormat> ImportFormatNamed(std::string_view name) {
    const std::string n = Lower(name);
    if (n == "csv") return ImportFormat::kCsv;
    if (n == "ndjson" || n == "jsonl") return ImportFormat::kNdjson;
    if (n == "md" || n == "markdown") return ImportFormat::kMarkdown;
    if (n == "zip") return ImportFormat::kZip;
    return std::nullopt;
}

std::string_view ContentTypeOf(ImportFormat format) {
    switch (format) {
        case ImportFormat::kCsv:
            return "text/csv; charset=utf-8";
        case ImportFormat::kNdjson:
            return "application/x-ndjson";
        case ImportFormat::kMarkdown:
            return "text/markdown; charset=utf-8";
        case ImportFormat::kZip:
            return "application/zip";
    }
    return "application/octet-stream";
}

Result<std::vector<std::string>> ParseListCell(std::string_view cell, std::string_view field) {
    std::vector<std::string> names;
    const std::string_view text = Trim(cell);
    if (text.empty()) return names;
    if (text.front() == '[') {
        const auto array = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (!array.is_array() ||
            !std::all_of(array.begin(), array.end(), [](const auto& v) { return v.is_string(); }))
            return Error::Invalid("invalid_type",
                                  std::string(field) +
                                      " starting with '[' must be a JSON array "
                                      "of strings.",
                                  std::string(field));
        for (const auto& v : array) names.push_back(v.get<std::string>());
        return names;
    }
    size_t pos = 0;
    for (;;) {
        const size_t bar = text.find('|', pos);
        const std::string_view name = Trim(
            text.substr(pos, bar == std::string_view::npos ? std::string_view::npos : bar - pos));
        if (!name.empty()) names.emplace_back(name);
        if (bar == std::string_view::npos) break;
        pos = bar + 1;
    }
    return names;
}

std::string FormatListCell(const std::vector<std::string>& names) {
    // "a|b" unless a name would not come back the same way: then a JSON array.
    const bool plain = (names.empty() || names.front().empty() || names.front().front() != '[') &&
                       std::none_of(names.begin(), names.end(), [](const std::string& n) {
                           return n.empty() || n.find('|') != std::string::npos || n != Trim(n);
                       });
    if (!plain) return nlohmann::json(names).dump();
    std::string out;
    for (const std::string& name : names) {
        if (!out.empty()) out += '|';
        out += name;
    }
    return out;
}

ImportParse ParseImport(ImportFormat format, std::string_view body) {
    if (Trim(body).empty() || body.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return Fail(Error::Invalid("empty_import", "The import body is empty."));
    if (format != ImportFormat::kZip) {
        if (const size_t bad = FirstBadUtf8(body); bad != std::string_view::npos)
            return Fail(Error::Invalid(
                "invalid_encoding", "The body is not UTF-8 (byte " + std::to_string(bad) + ")."));
    }
    switch (format) {
        case ImportFormat::kCsv:
            return ParseCsvBody(body);
        case ImportFormat::kNdjson:
            return ParseNdjsonBody(body);
        case ImportFormat::kMarkdown: {
            auto fields = ParseMarkdownDocument(body);
            if (!fields) return Fail(fields.error(), 1);
            ImportParse parse;
            parse.items.push_back(ImportItem{1, {}, std::move(*fields)});
            return parse;
        }
        case ImportFormat::kZip: {
            std::string bad_file;
            auto files = ReadZipOfMarkdown(body, bad_file);
            if (!files) return Fail(files.error(), 0, bad_file);
            ImportParse parse;
            for (ZipFile& file : *files) {
                if (const size_t bad = FirstBadUtf8(file.data); bad != std::string_view::npos)
                    return Fail(Error::Invalid("invalid_encoding", "The file is not UTF-8 (byte " +
                                                                       std::to_string(bad) + ")."),
                                0, file.name);
                auto fields = ParseMarkdownDocument(file.data);
                if (!fields) return Fail(fields.error(), 0, file.name);
                parse.items.push_back(ImportItem{0, file.name, std::move(*fields)});
            }
            if (parse.items.empty())
                return Fail(Error::Invalid("empty_import", "The zip holds no Markdown file."));
            return parse;
        }
    }
    return Fail(Error::Invalid("unsupported_media_type", "Unknown import format."));
}

}  // namespace herald::http
