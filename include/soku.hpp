/*
 * soku.hpp: the soku C ABI for C++17, header-only, no dependency beyond soku.h and the standard
 * library.
 *
 *   soku::Client client("{}");  // apiKey/baseUrl/firebaseToken from SOKU_API_KEY, ... when absent
 *   try {
 *       std::string result = client.posts_create(
 *           R"({"post": {"content": {"text": "Hello", "platform": ["x", "threads"]}}})");
 *       // result: {"data": {"postSubmissionId": "..."}, "meta": {...}}
 *   } catch (const soku::Error &e) {
 *       // e.kind(), e.status(), e.code(), e.request_id(), e.param(), e.message(), e.json()
 *   }
 *
 * - soku::Client owns one SokuClient handle and frees it in its destructor. It is move-only; a
 *   moved-from Client holds no handle, and every operation on it throws soku::Error with kind
 *   "invalid_argument" (the C library's answer to a NULL client). Operations are const and may be
 *   called from many threads at once, as the C functions may; moving or destroying a Client must
 *   not race with calls on it.
 * - Each operation takes the request JSON and optional call options JSON (an empty string sends
 *   none: the defaults) exactly as the C function of the same name does, and returns the whole
 *   result JSON {"data", "meta"}. On any error it throws soku::Error; strings containing a NUL
 *   byte are rejected with kind "invalid_argument" before anything is sent.
 * - soku::CancelToken (move-only RAII over SokuCancelToken) stops a posts_publish_batch from
 *   another thread: client.posts_publish_batch(request, token) and token.cancel().
 * - client.posts_publish_batch_with_progress(request, callable) calls the callable with each
 *   finished post (a SokuBatchProgress); returning false stops the batch, and an exception it
 *   throws stops the batch and is rethrown once the library has returned (it never unwinds
 *   through the library).
 * - soku::Error carries the C status (SOKU_ERR_*), the error's kind, HTTP status (0 when there
 *   was no HTTP answer), code, request id, param and message (empty when absent), and the full error
 *   JSON. Those fields come from the library's own reader of its error JSON (soku_error_parse),
 *   so they hold for any error, however large, deep or non-ASCII; parse e.json() with your JSON
 *   library for details, retryAfter or meta.
 */
#ifndef SOKU_HPP
#define SOKU_HPP

#if !defined(__cplusplus) || (__cplusplus < 201703L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 201703L))
#error "soku.hpp needs C++17 or later"
#endif

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "soku.h"

namespace soku {

/// The library version, e.g. "0.2.0" (the same text as SOKU_VERSION_STRING).
inline std::string version() { return soku_version(); }

namespace detail {

/// The fields of the error object that soku::Error exposes.
struct ErrorFields {
    std::string kind, code, message, request_id, param;
    int status = 0;
};

/// Frees a SokuError handle on every path, exceptions included.
struct SokuErrorFree {
    void operator()(SokuError *e) const noexcept { soku_error_free(e); }
};

/// The fields of an error JSON, read by the library itself (soku_error_parse): any valid error
/// JSON it returns, however large or deeply nested, with all of its Unicode. Text that is not an
/// error JSON leaves every field empty (soku::Error then keeps only the raw JSON).
inline ErrorFields read_error(const std::string &json) {
    ErrorFields f;
    if (json.find('\0') != std::string::npos) return f; // never in the library's JSON
    SokuError *raw = nullptr;
    std::int32_t parsed = soku_error_parse(json.c_str(), &raw);
    std::unique_ptr<SokuError, SokuErrorFree> error(raw);
    if (parsed != SOKU_OK || !error) return f;
    auto text = [&error](const char *(*get)(const SokuError *, std::size_t *)) {
        std::size_t len = 0;
        const char *s = get(error.get(), &len);
        return s ? std::string(s, len) : std::string();
    };
    f.kind = text(soku_error_kind);
    f.code = text(soku_error_code);
    f.message = text(soku_error_message);
    f.request_id = text(soku_error_request_id);
    f.param = text(soku_error_param);
    f.status = soku_error_status(error.get());
    return f;
}

struct ErrorData {
    std::int32_t result;
    ErrorFields fields;
    std::string json;
};

inline std::string describe(std::int32_t result, const ErrorFields &f) {
    std::string s = f.kind.empty() ? std::string(soku_status_str(result)) : f.kind + " error";
    if (f.status != 0) s += " (HTTP " + std::to_string(f.status) + ")";
    if (!f.code.empty()) s += " " + f.code;
    if (!f.message.empty()) s += ": " + f.message;
    if (!f.request_id.empty()) s += " [request " + f.request_id + "]";
    return s;
}

/// Frees a string from the library on every path, exceptions included.
struct StringFree {
    void operator()(char *s) const noexcept { soku_string_free(s); }
};
using OwnedString = std::unique_ptr<char, StringFree>;

/// Owns one library handle and frees it with `Free` (which accepts NULL): move-only, a moved-from
/// owner holds NULL. The RAII of soku::Client and soku::CancelToken.
template <typename T, void (*Free)(T *)> class Owned {
public:
    Owned() noexcept = default;
    explicit Owned(T *ptr) noexcept : ptr_(ptr) {}
    ~Owned() { Free(ptr_); }
    Owned(Owned &&other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}
    Owned &operator=(Owned &&other) noexcept {
        if (this != &other) {
            Free(ptr_);
            ptr_ = std::exchange(other.ptr_, nullptr);
        }
        return *this;
    }
    Owned(const Owned &) = delete;
    Owned &operator=(const Owned &) = delete;

    T *get() const noexcept { return ptr_; }
    /// Where a C constructor stores a new handle (this owner must hold none yet).
    T **out() noexcept { return &ptr_; }

private:
    T *ptr_ = nullptr;
};

} // namespace detail

/// An error from the library: what a SOKU_ERR_* status and its error JSON say.
class Error : public std::runtime_error {
public:
    /// Builds the error from a C status and the error JSON the library wrote.
    Error(std::int32_t result, const std::string &json) : Error(result, detail::read_error(json), json) {}

    /// The C status: SOKU_ERR_API, SOKU_ERR_TRANSPORT, ... (negative).
    std::int32_t result() const noexcept { return data_->result; }
    /// "api", "transport", "timeout", "decode", "config", "invalid_argument" or "panic".
    const std::string &kind() const noexcept { return data_->fields.kind; }
    /// The HTTP status of the server's answer; 0 when there was none.
    int status() const noexcept { return data_->fields.status; }
    /// The API error code (e.g. "validation_error", codes unknown to this version included);
    /// empty when there is none.
    const std::string &code() const noexcept { return data_->fields.code; }
    /// The request id the server gave; empty when there is none.
    const std::string &request_id() const noexcept { return data_->fields.request_id; }
    /// The request field (JSON path, e.g. "post.content.text") or config key (e.g. "baseUrl") at
    /// fault of an "invalid_argument" or "config" error; empty when there is none.
    const std::string &param() const noexcept { return data_->fields.param; }
    /// The error message (secrets already redacted by the library).
    const std::string &message() const noexcept { return data_->fields.message; }
    /// The whole error JSON: {"error": {...}, "meta": ...}.
    const std::string &json() const noexcept { return data_->json; }

private:
    Error(std::int32_t result, detail::ErrorFields fields, const std::string &json)
        : std::runtime_error(detail::describe(result, fields)),
          data_(std::make_shared<const detail::ErrorData>(detail::ErrorData{result, std::move(fields), json})) {}

    std::shared_ptr<const detail::ErrorData> data_; // shared: copying an exception never throws
};

/// A cancellation token for soku::Client::posts_publish_batch: one SokuCancelToken handle, freed
/// by the destructor. Move-only. cancel() may be called from any thread while a batch runs with
/// the token (that is its purpose); moving or destroying the token must not race with a batch
/// that uses it. A moved-from token holds no handle: cancel() is then a no-op, and a batch given
/// it runs as if it had no token.
class CancelToken {
public:
    /// soku_cancel_token_new. Throws std::bad_alloc if the library could not create one.
    CancelToken() : handle_(soku_cancel_token_new()) {
        if (!handle_.get()) throw std::bad_alloc();
    }

    /// soku_cancel_token_cancel: a batch running with this token stops before its next post (or
    /// within 100 ms of a rate-limit wait) and reports "cancelled": true. Cannot be undone.
    void cancel() const noexcept { soku_cancel_token_cancel(handle_.get()); }
    /// The C handle (still owned by this token); NULL once moved from.
    const SokuCancelToken *handle() const noexcept { return handle_.get(); }

private:
    detail::Owned<SokuCancelToken, soku_cancel_token_free> handle_;
};

/// A client: one SokuClient handle, freed by the destructor. Move-only.
class Client {
public:
    /// soku_client_new: `config_json` as documented there ("{}" takes apiKey, baseUrl and
    /// firebaseToken from SOKU_API_KEY, SOKU_BASE_URL and SOKU_FIREBASE_TOKEN). Throws
    /// soku::Error (kind "invalid_argument" or "config") when the configuration is unusable.
    explicit Client(const std::string &config_json = "{}") {
        check_no_nul(config_json, "config_json");
        char *raw = nullptr;
        std::int32_t result = soku_client_new(config_json.c_str(), handle_.out(), &raw);
        detail::OwnedString out(raw);
        if (result != SOKU_OK) throw Error(result, out ? std::string(out.get()) : std::string());
    }

    /// The C handle (still owned by this Client), for calling the C API directly; NULL once moved from.
    const SokuClient *handle() const noexcept { return handle_.get(); }
    /// False once moved from.
    explicit operator bool() const noexcept { return handle_.get() != nullptr; }

    // One line per C operation: the request JSON, optional options JSON, the result JSON.
    std::string posts_create(const std::string &request, const std::string &options = {}) const { return call(soku_posts_create, request, options); }
    std::string media_upload(const std::string &request, const std::string &options = {}) const { return call(soku_media_upload, request, options); }
    std::string templates_render(const std::string &request, const std::string &options = {}) const { return call(soku_templates_render, request, options); }
    std::string templates_render_og(const std::string &request, const std::string &options = {}) const { return call(soku_templates_render_og, request, options); }
    std::string ai_transcribe(const std::string &request, const std::string &options = {}) const { return call(soku_ai_transcribe, request, options); }
    std::string api_keys_create(const std::string &request, const std::string &options = {}) const { return call(soku_api_keys_create, request, options); }
    std::string api_keys_list(const std::string &request, const std::string &options = {}) const { return call(soku_api_keys_list, request, options); }
    std::string api_keys_revoke(const std::string &request, const std::string &options = {}) const { return call(soku_api_keys_revoke, request, options); }
    std::string api_keys_rotate(const std::string &request, const std::string &options = {}) const { return call(soku_api_keys_rotate, request, options); }
    std::string posts_publish_batch(const std::string &request, const std::string &options = {}) const { return call(soku_posts_publish_batch, request, options); }
    std::string posts_publish_with_media(const std::string &request, const std::string &options = {}) const { return call(soku_posts_publish_with_media, request, options); }
    std::string posts_publish_with_template(const std::string &request, const std::string &options = {}) const { return call(soku_posts_publish_with_template, request, options); }
    /// soku_posts_publish_batch_with_cancel: the batch stops early once `cancel` is cancelled
    /// (from another thread, or before the call); the result then has "cancelled": true.
    /// (A template taking only a CancelToken, so that posts_publish_batch(request, {}) picks the
    /// options overload above instead of being ambiguous.)
    template <typename Token, std::enable_if_t<std::is_same_v<Token, CancelToken>, int> = 0>
    std::string posts_publish_batch(const std::string &request, const Token &cancel, const std::string &options = {}) const {
        check_no_nul(request, "request_json");
        check_no_nul(options, "options_json");
        char *raw = nullptr;
        std::int32_t result = soku_posts_publish_batch_with_cancel(handle_.get(), request.c_str(), options.empty() ? nullptr : options.c_str(), cancel.handle(), &raw);
        return finish(result, raw);
    }

    /// soku_posts_publish_batch_with_progress: `progress` is called on this thread with each
    /// finished post (a SokuBatchProgress whose pointers are valid during the call only);
    /// returning false stops the batch before its next post (the result then has
    /// "cancelled": true). An exception thrown by `progress` stops the batch the same way and is
    /// rethrown here once the library has returned: it never unwinds through the library.
    /// `cancel` may be nullptr.
    std::string posts_publish_batch_with_progress(const std::string &request,
                                                  const std::function<bool(const SokuBatchProgress &)> &progress,
                                                  const CancelToken *cancel = nullptr,
                                                  const std::string &options = {}) const {
        check_no_nul(request, "request_json");
        check_no_nul(options, "options_json");
        struct State {
            const std::function<bool(const SokuBatchProgress &)> *fn;
            std::exception_ptr error;
        } state{&progress, nullptr};
        SokuProgressCallback trampoline = [](void *data, const SokuBatchProgress *item) -> bool {
            auto *st = static_cast<State *>(data);
            try {
                return (*st->fn) && (*st->fn)(*item);
            } catch (...) {
                st->error = std::current_exception();
                return false;
            }
        };
        char *raw = nullptr;
        std::int32_t result = soku_posts_publish_batch_with_progress(
            handle_.get(), request.c_str(), options.empty() ? nullptr : options.c_str(),
            cancel ? cancel->handle() : nullptr, trampoline, &state, &raw);
        std::string json = finish(result, raw);
        if (state.error) std::rethrow_exception(state.error);
        return json;
    }

private:
    using Operation = std::int32_t (*)(const SokuClient *, const char *, const char *, char **);

    static void check_no_nul(const std::string &s, const char *name) {
        if (s.find('\0') == std::string::npos) return;
        std::string message = std::string(name) + " contains a NUL byte";
        throw Error(SOKU_ERR_INVALID_ARGUMENT,
                    "{\"error\": {\"kind\": \"invalid_argument\", \"status\": null, \"code\": null, \"message\": \"" +
                        message + "\", \"requestId\": null, \"param\": \"" + name + "\"}, \"meta\": null}");
    }

    std::string call(Operation op, const std::string &request, const std::string &options) const {
        check_no_nul(request, "request_json");
        check_no_nul(options, "options_json");
        char *raw = nullptr;
        std::int32_t result = op(handle_.get(), request.c_str(), options.empty() ? nullptr : options.c_str(), &raw);
        return finish(result, raw);
    }

    /// Takes ownership of the library's result string; throws soku::Error unless SOKU_OK.
    static std::string finish(std::int32_t result, char *raw) {
        detail::OwnedString out(raw);
        std::string json = out ? std::string(out.get()) : std::string();
        if (result != SOKU_OK) throw Error(result, json);
        return json;
    }

    detail::Owned<SokuClient, soku_client_free> handle_;
};

} // namespace soku

#endif
