#pragma once
// Credentials at rest: the one place that encrypts and decrypts the secret columns
// (sites.api_key and event_hooks.secret: each listed in kSecretColumns, sealed and opened
// with SealColumn/OpenColumn in its row reader/binder).
//
// Each value is sealed with libsodium's XChaCha20-Poly1305 (IETF AEAD) under a 32-byte key,
// with a fresh random nonce, and "herald:<table>.<column>:<row id>" as associated data, so a
// ciphertext copied into another row or column does not open. Stored form:
//   "enc:v1:" + base64(nonce || ciphertext+tag)
// An empty value is stored empty (there is nothing to hide but its absence).
//
// The stores' row readers and binders (ReadSite, BindSite, SiteInsert, …) are shared free
// functions with no store at hand, so the box of the store whose connection is in use is
// made "active" on the calling thread while the connection is leased (ActiveSecretsScope,
// held by each backend's ConnectionPool::Lease). API and adapters only ever see plaintext.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace herald::storage {

class SecretBox {
public:
    static constexpr size_t kKeyBytes = 32;
    using Key = std::array<unsigned char, kKeyBytes>;

    explicit SecretBox(const Key& key);
    ~SecretBox();
    SecretBox(const SecretBox&) = delete;
    SecretBox& operator=(const SecretBox&) = delete;

    /// A new random key.
    static Key GenerateKey();
    /// Key from base64 (standard or URL-safe, padding optional) of exactly 32 bytes.
    /// @throws StorageError naming `source` (never the text) otherwise.
    static Key ParseKey(std::string_view base64, std::string_view source);
    static std::string EncodeKey(const Key& key);

    /// "enc:v1:…" for a non-empty `plaintext`; "" for "".
    std::string Seal(std::string_view plaintext, std::string_view associated_data) const;
    /// The plaintext of a sealed value; nullopt when it does not open under this key (wrong
    /// key, other row, tampered). A value without the prefix is returned as is (plaintext
    /// written by an older herald, before the start-up pass encrypted it).
    std::optional<std::string> Open(std::string_view stored,
                                    std::string_view associated_data) const;
    static bool IsSealed(std::string_view stored);

    /// The key-check value kept in the database: Seal(kKeyCheckText, kKeyCheckAd).
    std::string MakeKeyCheck() const;
    /// Whether `stored` (a key-check value) opens under this key.
    bool OpensKeyCheck(std::string_view stored) const;

private:
    Key key_{};
};

/// A column holding a credential.
struct SecretColumn {
    const char* table;
    const char* column;
};
/// Every secret column; the start-up pass and `secrets rotate` walk these.
inline constexpr SecretColumn kSecretColumns[] = {
    {"sites", "api_key"},
    {"event_hooks", "secret"},
};

/// "herald:<table>.<column>:<id>".
std::string SecretAd(const SecretColumn& column, int64_t row_id);

// --- the box of the store whose connection this thread holds -----------------------------

/// The active box on this thread, or nullptr.
const SecretBox* ActiveSecrets();

/// Makes `box` active on this thread for its lifetime (restores the previous one).
class ActiveSecretsScope {
public:
    explicit ActiveSecretsScope(const SecretBox* box);
    ~ActiveSecretsScope();
    ActiveSecretsScope(ActiveSecretsScope&& other) noexcept;
    ActiveSecretsScope& operator=(ActiveSecretsScope&&) = delete;
    ActiveSecretsScope(const ActiveSecretsScope&) = delete;
    ActiveSecretsScope& operator=(const ActiveSecretsScope&) = delete;

private:
    const SecretBox* previous_ = nullptr;
    bool engaged_ = false;
};

/// Seals `plaintext` for `column` of row `row_id` with the active box.
/// @throws StorageError when no box is active.
std::string SealColumn(const SecretColumn& column, int64_t row_id, std::string_view plaintext);
/// Opens a stored value of `column` of row `row_id` with the active box.
/// @throws StorageError (naming table, column and row, never the value) when it does not open.
std::string OpenColumn(const SecretColumn& column, int64_t row_id, std::string_view stored);

inline constexpr SecretColumn kSiteApiKey = kSecretColumns[0];
inline constexpr SecretColumn kHookSecret = kSecretColumns[1];

// --- where the key comes from ----------------------------------------------------------

/// How the key of a store is found (StoreOptions).
struct SecretKeySource {
    /// --secret-key-file: a file holding base64 of 32 bytes. Wins over everything.
    std::string key_file;
    /// Given explicitly (tests, rotate). Wins over key_file.
    std::shared_ptr<const SecretBox> box;
    /// Read HERALD_SECRET_KEY when neither of the above is set (default true).
    bool use_environment = true;
};

/// The box for a store: `source.box`, else `source.key_file`, else HERALD_SECRET_KEY, else
/// (SQLite only, `sqlite_path` non-empty) the file "<sqlite_path>.key", created with mode
/// 0600 and a random key if missing and `may_create_default`. nullptr when none applies.
/// `from_default_file` tells the caller the key came from "<sqlite_path>.key".
/// @throws StorageError for an unreadable or malformed key.
std::shared_ptr<const SecretBox> ResolveSecretBox(const SecretKeySource& source,
                                                  const std::string& sqlite_path,
                                                  bool may_create_default,
                                                  bool* from_default_file = nullptr);

/// Reads a key file (base64 of 32 bytes, surrounding whitespace ignored).
SecretBox::Key ReadKeyFile(const std::string& path);
/// Writes `key` to `path` (mode 0600) atomically: a temporary file renamed over it.
void WriteKeyFile(const std::string& path, const SecretBox::Key& key);

/// The line PostgreSQL stores give when no key was configured.
inline constexpr const char* kPostgresNeedsKey =
    "a PostgreSQL database needs a secret key for its stored credentials: set "
    "HERALD_SECRET_KEY (base64 of 32 bytes) or pass --secret-key-file PATH";

}  // namespace herald::storage
