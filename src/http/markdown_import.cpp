// Markdown imports: YAML front matter (yaml-cpp) → content fields, the body → HTML (cmark,
// the CommonMark reference implementation), and zips of such files (libzip, read from the
// request body in memory).

#include <cmark.h>
#include <yaml-cpp/yaml.h>
#include <zip.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "http/content_import.hpp"

namespace herald::http {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool IsFrontMatterField(std::string_view key) {
    return key != "content_html" &&
           std::find(kImportColumns.begin(), kImportColumns.end(), key) != kImportColumns.end();
}

std::string AllowedKeys() {
    std::string out;
    for (const std::string_view column : kImportColumns) {
        if (column == "content_html") continue;
        if (!out.empty()) out += ", ";
        out += column;
    }
    return out;
}

/// The next line of `text` from `pos` (without its end), advancing `pos` past it.
std::string_view NextLine(std::string_view text, size_t& pos) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end < text.size() ? end + 1 : end;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

Error FrontMatterError(std::string message, std::string field = {}) {
    return Error::Invalid("invalid_front_matter", std::move(message), std::move(field));
}

/// A scalar YAML value as a string; anything else is refused naming the key.
Result<std::string> Scalar(const YAML::Node& node, const std::string& key) {
    if (node.IsNull()) return std::string();
    if (!node.IsScalar())
        return FrontMatterError("'" + key + "' in the front matter must be a single value.", key);
    return node.Scalar();
}

Result<nlohmann::json> FrontMatterFields(std::string_view yaml, int first_line) {
    nlohmann::json fields = nlohmann::json::object();
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        return FrontMatterError("The front matter is not valid YAML (line " +
                                std::to_string(first_line + e.mark.line) + "): " + e.msg + ".");
    }
    if (root.IsNull()) return fields;
    if (!root.IsMap()) return FrontMatterError("The front matter must be a YAML mapping.");
    for (const auto& entry : root) {
        if (!entry.first.IsScalar()) return FrontMatterError("A front matter key is not text.");
        const std::string key = entry.first.Scalar();
        if (key == "content_html")
            return FrontMatterError(
                "content_html comes from the Markdown body, not the front matter.", key);
        if (!IsFrontMatterField(key))
            return FrontMatterError("The front matter names an unknown field '" +
                                        key.substr(0, 60) + "'; fields are " + AllowedKeys() + ".",
                                    key);
        const YAML::Node& value = entry.second;
        if (key == "categories" || key == "tags") {
            std::vector<std::string> names;
            if (value.IsSequence()) {
                for (const auto& name : value) {
                    auto text = Scalar(name, key);
                    if (!text) return text.error();
                    names.push_back(std::move(*text));
                }
            } else {
                auto text = Scalar(value, key);
                if (!text) return text.error();
                if (!text->empty()) names.push_back(std::move(*text));
            }
            fields[key] = names;
            continue;
        }
        auto text = Scalar(value, key);
        if (!text) return text.error();
        if (key == "cluster_id") {
            if (text->empty()) continue;
            char* end = nullptr;
            const long long id = std::strtoll(text->c_str(), &end, 10);
            if (end == text->c_str() || *end != '\0')
                return Error::Invalid("invalid_type", "cluster_id must be an integer.", key);
            fields[key] = static_cast<int64_t>(id);
            continue;
        }
        if (text->empty() && (key == "content_type" || key == "scheduled_publish_at")) continue;
        fields[key] = std::move(*text);
    }
    return fields;
}

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
    void operator()(zip_file_t* f) const { zip_fclose(f); }
};

bool EndsWithIgnoringCase(std::string_view s, std::string_view suffix) {
    if (s.size() < suffix.size()) return false;
    for (size_t i = 0; i < suffix.size(); ++i) {
        char c = s[s.size() - suffix.size() + i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != suffix[i]) return false;
    }
    return true;
}

Error BadZip(std::string message) { return Error::Invalid("invalid_zip", std::move(message)); }

}  // namespace

std::string MarkdownToHtml(std::string_view markdown) {
    // CMARK_OPT_UNSAFE keeps raw HTML blocks and inline HTML, as content_html sent to the API
    // is kept: the author's own embeds survive an import.
    char* html = cmark_markdown_to_html(markdown.data(), markdown.size(),
                                        CMARK_OPT_DEFAULT | CMARK_OPT_UNSAFE);
    std::string out = html != nullptr ? html : "";
    std::free(html);  // NOLINT(cppcoreguidelines-no-malloc): cmark allocates with malloc
    return out;
}

Result<nlohmann::json> ParseMarkdownDocument(std::string_view text) {
    if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
    nlohmann::json fields = nlohmann::json::object();
    size_t pos = 0;
    std::string_view body = text;
    if (NextLine(text, pos) == "---") {
        const size_t yaml_start = pos;
        int line_number = 1;
        for (;;) {
            if (pos >= text.size())
                return FrontMatterError("The front matter opened by '---' is never closed.");
            const size_t line_start = pos;
            ++line_number;
            const std::string_view line = NextLine(text, pos);
            if (line == "---" || line == "...") {
                auto parsed =
                    FrontMatterFields(text.substr(yaml_start, line_start - yaml_start), 2);
                if (!parsed) return parsed.error();
                fields = std::move(*parsed);
                body = text.substr(pos);
                break;
            }
        }
    }
    fields["content_html"] = MarkdownToHtml(body);
    return fields;
}

Result<std::vector<ZipFile>> ReadZipOfMarkdown(std::string_view zip, std::string& bad_file) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(zip.data(), zip.size(), 0, &error);
    if (source == nullptr) {
        zip_error_fini(&error);
        return BadZip("The zip could not be read.");
    }
    std::unique_ptr<zip_t, ZipCloser> archive(zip_open_from_source(source, ZIP_RDONLY, &error));
    if (!archive) {
        zip_source_free(source);
        const std::string reason = zip_error_strerror(&error);
        zip_error_fini(&error);
        return BadZip("The body is not a readable zip archive (" + reason + ").");
    }
    zip_error_fini(&error);
    const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
    std::vector<ZipFile> files;
    size_t total = 0;
    for (zip_int64_t i = 0; i < entries; ++i) {
        zip_stat_t stat;
        if (zip_stat_index(archive.get(), static_cast<zip_uint64_t>(i), 0, &stat) != 0 ||
            (stat.valid & ZIP_STAT_NAME) == 0 || (stat.valid & ZIP_STAT_SIZE) == 0)
            return BadZip("The zip's directory is damaged.");
        const std::string name = stat.name;
        if (!name.empty() && name.back() == '/') continue;  // a directory
        if (name.rfind("__MACOSX/", 0) == 0) continue;      // macOS resource forks
        if (!EndsWithIgnoringCase(name, ".md") && !EndsWithIgnoringCase(name, ".markdown")) {
            bad_file = name;
            return Error::Invalid("not_markdown",
                                  "The zip holds a file that is not Markdown (.md or .markdown).");
        }
        if (files.size() == kMaxImportItems)
            return Error::Invalid("too_many_items", "An import holds at most " +
                                                        std::to_string(kMaxImportItems) +
                                                        " items; split the zip.");
        // The declared size is checked first and the read is bounded by it, so a zip bomb
        // stops at the limit.
        if (stat.size > kMaxUnzippedBytes - total) {
            bad_file = name;
            return Error::Invalid("too_large", "The zip's files are larger than " +
                                                   std::to_string(kMaxUnzippedBytes >> 20) +
                                                   " MiB unpacked.");
        }
        std::unique_ptr<zip_file_t, ZipFileCloser> file(
            zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(i), 0));
        if (!file) {
            bad_file = name;
            return BadZip("The file could not be unpacked (encrypted or an unknown method).");
        }
        ZipFile out{name, std::string(static_cast<size_t>(stat.size), '\0')};
        const zip_int64_t read = zip_fread(file.get(), out.data.data(), stat.size);
        if (read < 0 || static_cast<zip_uint64_t>(read) != stat.size) {
            bad_file = name;
            return BadZip("The file is damaged in the zip.");
        }
        total += out.data.size();
        files.push_back(std::move(out));
    }
    std::sort(files.begin(), files.end(),
              [](const ZipFile& a, const ZipFile& b) { return a.name < b.name; });
    return files;
}

}  // namespace herald::http
