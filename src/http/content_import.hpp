#pragma once
// Bulk import bodies → one JSON object of the API's content fields per item, for the import
// handler to read exactly as a single create does (ReadContentFields, ValidateContent). CSV
// (header row of field names), JSON lines, one Markdown document with YAML front matter, or
// a zip of Markdown documents. Pure (no store, no clock). Private to src/http/.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "http/import_limits.hpp"

namespace herald::http {

enum class ImportFormat { kCsv, kNdjson, kMarkdown, kZip };

/// The format a Content-Type names ("text/csv; charset=utf-8" → kCsv), or an Error (415
/// unsupported_media_type) naming the accepted ones; a charset other than UTF-8 is refused.
Result<ImportFormat> ImportFormatOf(std::string_view content_type);
/// "csv", "ndjson", "md"/"markdown", "zip" (the CLI's file extension or --format).
std::optional<ImportFormat> ImportFormatNamed(std::string_view name);
/// The Content-Type the CLI sends for a format.
std::string_view ContentTypeOf(ImportFormat format);

/// The fields a CSV header or a front matter may name, in export order.
extern const std::vector<std::string_view> kImportColumns;

/// One item of an import and where it came from.
struct ImportItem {
    int64_t row = 0;        // 1-based data row (CSV: after the header; JSON lines: non-blank line)
    std::string file;       // the zip entry, or empty
    nlohmann::json fields;  // the API's content fields
};

/// A refusal and the row or file it is about (row 0 / empty file: the body as a whole).
struct ImportError {
    Error error;
    int64_t row = 0;
    std::string file;
};

struct ImportParse {
    std::vector<ImportItem> items;
    std::optional<ImportError> error;  // set: the first problem; items are then incomplete
};

/// Splits and converts `body`; stops at the first problem.
ImportParse ParseImport(ImportFormat format, std::string_view body);

/// Markdown → HTML (CommonMark, raw HTML kept, as the API keeps content_html as given).
std::string MarkdownToHtml(std::string_view markdown);

/// One Markdown document: its YAML front matter (between "---" lines at the top) as content
/// fields, the body converted to content_html.
Result<nlohmann::json> ParseMarkdownDocument(std::string_view text);

/// The `.md` / `.markdown` files of a zip (directories and __MACOSX/ left out), by name;
/// any other file is refused naming it (`bad_file` set), as are more than kMaxImportItems
/// files or kMaxUnzippedBytes in all.
struct ZipFile {
    std::string name;
    std::string data;
};
Result<std::vector<ZipFile>> ReadZipOfMarkdown(std::string_view zip, std::string& bad_file);

/// A list cell of CSV: "a|b|c" (names trimmed) or a JSON array when a name holds '|'; and
/// back (export).
Result<std::vector<std::string>> ParseListCell(std::string_view cell, std::string_view field);
std::string FormatListCell(const std::vector<std::string>& names);

}  // namespace herald::http
