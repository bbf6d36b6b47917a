#include "storage/secret_box.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "storage/store.hpp"

namespace herald::storage {
namespace {

constexpr std::string_view kPrefix = "enc:v1:";
constexpr std::string_view kKeyCheckText = "herald key check v1";
constexpr std::string_view kKeyCheckAd = "herald:secret_meta.key_check";
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

thread_local const SecretBox* t_active = nullptr;

void InitSodium() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw StorageError("libsodium failed to initialise");
    });
}

const unsigned char* Bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::string ToBase64(const unsigned char* data, size_t size, int variant) {
    std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, variant);
    out.resize(std::strlen(out.c_str()));
    return out;
}

std::optional<std::vector<unsigned char>> FromBase64(std::string_view text, int variant) {
    std::vector<unsigned char> out(text.size() / 4 * 3 + 3);
    size_t len = 0;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                          variant) != 0)
        return std::nullopt;
    out.resize(len);
    return out;
}

std::string_view TrimSpace(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool FileExists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

SecretBox::SecretBox(const Key& key) : key_(key) { InitSodium(); }

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

SecretBox::Key SecretBox::GenerateKey() {
    InitSodium();
    Key key{};
    crypto_aead_xchacha20poly1305_ietf_keygen(key.data());
    return key;
}

SecretBox::Key SecretBox::ParseKey(std::string_view base64, std::string_view source) {
    InitSodium();
    base64 = TrimSpace(base64);
    for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                        sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
        auto bytes = FromBase64(base64, variant);
        if (!bytes) continue;
        if (bytes->size() != kKeyBytes) break;
        Key key{};
        std::memcpy(key.data(), bytes->data(), kKeyBytes);
        sodium_memzero(bytes->data(), bytes->size());
        return key;
    }
    throw StorageError("the secret key in " + std::string(source) +
                       " is not base64 of 32 bytes (make one with: head -c 32 /dev/urandom | "
                       "base64)");
}

std::string SecretBox::EncodeKey(const Key& key) {
    InitSodium();
    return ToBase64(key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
}

std::string SecretBox::Seal(std::string_view plaintext, std::string_view ad) const {
    if (plaintext.empty()) return {};
    std::vector<unsigned char> buf(kNonceBytes + plaintext.size() + kTagBytes);
    randombytes_buf(buf.data(), kNonceBytes);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(buf.data() + kNonceBytes, &written, Bytes(plaintext),
                                               plaintext.size(), Bytes(ad), ad.size(), nullptr,
                                               buf.data(), key_.data());
    return std::string(kPrefix) +
           ToBase64(buf.data(), kNonceBytes + written, sodium_base64_VARIANT_ORIGINAL);
}

std::optional<std::string> SecretBox::Open(std::string_view stored, std::string_view ad) const {
    if (!IsSealed(stored)) return std::string(stored);
    auto raw = FromBase64(stored.substr(kPrefix.size()), sodium_base64_VARIANT_ORIGINAL);
    if (!raw || raw->size() < kNonceBytes + kTagBytes) return std::nullopt;
    std::string out(raw->size() - kNonceBytes - kTagBytes, '\0');
    unsigned long long len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(out.data()), &len, nullptr, raw->data() + kNonceBytes,
            raw->size() - kNonceBytes, Bytes(ad), ad.size(), raw->data(), key_.data()) != 0)
        return std::nullopt;
    out.resize(len);
    return out;
}

bool SecretBox::IsSealed(std::string_view stored) { return stored.starts_with(kPrefix); }

std::string SecretBox::MakeKeyCheck() const { return Seal(kKeyCheckText, kKeyCheckAd); }

bool SecretBox::OpensKeyCheck(std::string_view stored) const {
    if (!IsSealed(stored)) return false;
    const auto text = Open(stored, kKeyCheckAd);
    return text && sodium_memcmp(text->data(), kKeyCheckText.data(), kKeyCheckText.size()) == 0 &&
           text->size() == kKeyCheckText.size();
}

std::string SecretAd(const SecretColumn& column, int64_t row_id) {
    return std::string("herald:") + column.table + "." + column.column + ":" +
           std::to_string(row_id);
}

const SecretBox* ActiveSecrets() { return t_active; }

ActiveSecretsScope::ActiveSecretsScope(const SecretBox* box) : previous_(t_active), engaged_(true) {
    t_active = box;
}

ActiveSecretsScope::ActiveSecretsScope(ActiveSecretsScope&& other) noexcept
    : previous_(other.previous_), engaged_(std::exchange(other.engaged_, false)) {}

ActiveSecretsScope::~ActiveSecretsScope() {
    if (engaged_) t_active = previous_;
}

std::string SealColumn(const SecretColumn& column, int64_t row_id, std::string_view plaintext) {
    if (plaintext.empty()) return {};
    const SecretBox* box = ActiveSecrets();
    if (box == nullptr)
        throw StorageError(std::string("no secret key to encrypt ") + column.table + "." +
                           column.column);
    return box->Seal(plaintext, SecretAd(column, row_id));
}

std::string OpenColumn(const SecretColumn& column, int64_t row_id, std::string_view stored) {
    if (!SecretBox::IsSealed(stored)) return std::string(stored);
    const SecretBox* box = ActiveSecrets();
    std::optional<std::string> plain;
    if (box != nullptr) plain = box->Open(stored, SecretAd(column, row_id));
    if (!plain)
        throw StorageError(std::string("the stored ") + column.table + "." + column.column +
                           " of row " + std::to_string(row_id) +
                           " does not open with this secret key");
    return std::move(*plain);
}

SecretBox::Key ReadKeyFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw StorageError("cannot read the secret key file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    std::string content = std::move(text).str();
    const SecretBox::Key key = SecretBox::ParseKey(content, "the key file " + path);
    sodium_memzero(content.data(), content.size());
    return key;
}

void WriteKeyFile(const std::string& path, const SecretBox::Key& key) {
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw StorageError("cannot create the secret key file " + path + ": " +
                           std::strerror(errno));
    const std::string text = SecretBox::EncodeKey(key) + "\n";
    const bool ok = ::fchmod(fd, 0600) == 0 &&
                    ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw StorageError("cannot write the secret key file " + path);
    }
}

std::shared_ptr<const SecretBox> ResolveSecretBox(const SecretKeySource& source,
                                                  const std::string& sqlite_path,
                                                  bool may_create_default,
                                                  bool* from_default_file) {
    if (from_default_file) *from_default_file = false;
    if (source.box) return source.box;
    if (!source.key_file.empty()) return std::make_shared<SecretBox>(ReadKeyFile(source.key_file));
    if (source.use_environment) {
        if (const char* env = std::getenv("HERALD_SECRET_KEY"); env != nullptr && *env != '\0')
            return std::make_shared<SecretBox>(SecretBox::ParseKey(env, "HERALD_SECRET_KEY"));
    }
    if (sqlite_path.empty()) return nullptr;
    const std::string key_path = sqlite_path + ".key";
    if (!FileExists(key_path)) {
        if (!may_create_default) return nullptr;
        // O_EXCL: two processes creating it at once; the loser reads the winner's.
        const int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            const SecretBox::Key key = SecretBox::GenerateKey();
            const std::string text = SecretBox::EncodeKey(key) + "\n";
            const bool ok =
                ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                ::fsync(fd) == 0;
            ::close(fd);
            if (!ok) {
                ::unlink(key_path.c_str());
                throw StorageError("cannot write the secret key file " + key_path);
            }
            if (from_default_file) *from_default_file = true;
            return std::make_shared<SecretBox>(key);
        }
        if (errno != EEXIST)
            throw StorageError("cannot create the secret key file " + key_path + ": " +
                               std::strerror(errno));
    }
    if (from_default_file) *from_default_file = true;
    // Another process may have just created it and not yet written the key.
    for (int i = 0; i < 200; ++i) {
        struct stat st {};
        if (::stat(key_path.c_str(), &st) == 0 && st.st_size > 0) break;
        ::usleep(10'000);
    }
    return std::make_shared<SecretBox>(ReadKeyFile(key_path));
}

}  // namespace herald::storage
