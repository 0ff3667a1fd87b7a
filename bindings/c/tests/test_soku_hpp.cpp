// test_soku_hpp.cpp: tests of include/soku.hpp (C++17) against the sandbox.
//
// Environment (set by bindings/c/test.sh from the sandbox's printed lines):
//   SOKU_BASE_URL, SOKU_API_KEY, SOKU_FIREBASE_TOKEN, SOKU_INACTIVE_API_KEY.
// Covers: RAII and moves (a moved-from client throws, never crashes), every operation wired to
// its C function, results returned whole, soku::Error's fields for API, invalid-argument and
// config errors (param included), NUL bytes rejected, soku::CancelToken (a cancelled batch sends
// nothing, a batch cancelled from another thread stops before its next post, moves). The
// cross-thread test talks to the sandbox's control API (/__sandbox/...) over a plain loopback socket to queue a fault and count
// the posts the sandbox accepted.
// soku::Error's fields come from soku_error_parse: checked on escapes, large (1 MiB), deep
// (100 000 levels) and non-ASCII error JSON, a hostile 422 through the whole stack, and
// malformed input (fields left empty, raw JSON kept). posts_publish_batch(request, {}) compiles.
#include "soku.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

namespace {

int passed, failed;
std::atomic<int> failed_now; // CHECK may run on a test's helper thread

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            failed_now = 1;                                                                  \
            std::fprintf(stderr, "  check failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                                    \
    } while (0)

// Runs `body`, which must throw soku::Error; hands the error to `check` (fails if none).
template <typename Body, typename Check> void expect_error(Body body, Check check, int line) {
    try {
        body();
        failed_now = 1;
        std::fprintf(stderr, "  no soku::Error thrown (line %d)\n", line);
    } catch (const soku::Error &e) {
        check(e);
    }
}
#define EXPECT_ERROR(body, check) expect_error([&] { body; }, check, __LINE__)

void run(const char *name, void (*fn)()) {
    failed_now = 0;
    try {
        fn();
    } catch (const std::exception &e) {
        failed_now = 1;
        std::fprintf(stderr, "  unexpected exception: %s\n", e.what());
    }
    std::printf("%s %s\n", failed_now ? "FAIL" : "ok  ", name);
    (failed_now ? failed : passed)++;
}
#define RUN(fn) run(#fn, fn)

std::string env(const char *name) {
    const char *v = std::getenv(name);
    if (!v || !*v) {
        std::fprintf(stderr, "test_soku_hpp: %s is not set (run bindings/c/test.sh)\n", name);
        std::exit(2);
    }
    return v;
}

// The sandbox's URL and keys hold no quotes or backslashes, so plain concatenation is valid JSON.
std::string config(const std::string &key) {
    return "{\"baseUrl\": \"" + env("SOKU_BASE_URL") + "\", \"apiKey\": \"" + key +
           "\", \"firebaseToken\": \"" + env("SOKU_FIREBASE_TOKEN") +
           "\", \"maxRetries\": 0, \"timeoutMs\": 10000}";
}

bool contains(const std::string &haystack, const char *needle) {
    return haystack.find(needle) != std::string::npos;
}

// One request to the sandbox's control API at SOKU_BASE_URL (http://host:port); returns the
// response body, or "" (and fails the test) when the answer is not a 2xx.
std::string sandbox(const char *method, const std::string &path, const std::string &body = "") {
    std::string url = env("SOKU_BASE_URL");
    std::string authority = url.substr(url.find("://") + 3);
    authority = authority.substr(0, authority.find('/'));
    std::size_t colon = authority.rfind(':');
    std::string host = authority.substr(0, colon), port = authority.substr(colon + 1);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *addr = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &addr) != 0) {
        CHECK(!"sandbox address resolves");
        return "";
    }
    int fd = socket(addr->ai_family, addr->ai_socktype, addr->ai_protocol);
    bool connected = fd >= 0 && connect(fd, addr->ai_addr, addr->ai_addrlen) == 0;
    freeaddrinfo(addr);
    std::string response;
    if (connected) {
        std::string request = std::string(method) + " " + path + " HTTP/1.1\r\nHost: " + authority +
                              "\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        for (std::size_t sent = 0; sent < request.size();) {
            ssize_t n = send(fd, request.data() + sent, request.size() - sent, 0);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
        char buf[4096];
        for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<std::size_t>(n));
    }
    if (fd >= 0) close(fd);
    std::size_t head_end = response.find("\r\n\r\n");
    if (response.rfind("HTTP/1.1 2", 0) != 0 || head_end == std::string::npos) {
        CHECK(!"the sandbox's control API answered 2xx");
        return "";
    }
    return response.substr(head_end + 4);
}

// How many posts the sandbox has accepted so far ("submissions" in /__sandbox/stats).
long submissions() {
    std::string stats = sandbox("GET", "/__sandbox/stats");
    std::size_t at = stats.find("\"submissions\":");
    if (at == std::string::npos) {
        CHECK(!"stats has submissions");
        return -1;
    }
    return std::strtol(stats.c_str() + at + 14, nullptr, 10);
}

const char *const kPost = R"({"post": {"content": {"text": "hello from C++", "platform": ["x"]}}})";

void client_is_move_only_raii() {
    static_assert(!std::is_copy_constructible_v<soku::Client>);
    static_assert(!std::is_copy_assignable_v<soku::Client>);
    static_assert(std::is_nothrow_move_constructible_v<soku::Client>);
    static_assert(std::is_nothrow_move_assignable_v<soku::Client>);
    static_assert(std::is_nothrow_copy_constructible_v<soku::Error>);
    CHECK(soku::version() == SOKU_VERSION_STRING);
    soku::Client a(config(env("SOKU_API_KEY")));
    const SokuClient *handle = a.handle();
    CHECK(a && handle != nullptr);
    soku::Client b(std::move(a));
    CHECK(!a && a.handle() == nullptr);
    CHECK(b.handle() == handle);
    soku::Client c(config(env("SOKU_API_KEY")));
    c = std::move(b); // frees c's own handle (valgrind checks), takes b's
    CHECK(c.handle() == handle && !b);
    CHECK(contains(c.posts_create(kPost), "\"postSubmissionId\""));
}

void moved_from_client_throws_invalid_argument() {
    soku::Client a(config(env("SOKU_API_KEY")));
    soku::Client b = std::move(a);
    EXPECT_ERROR(a.posts_create(kPost), [](const soku::Error &e) {
        CHECK(e.result() == SOKU_ERR_INVALID_ARGUMENT);
        CHECK(e.kind() == "invalid_argument");
        CHECK(e.status() == 0 && e.code().empty() && e.request_id().empty());
        CHECK(contains(e.message(), "client"));
        CHECK(contains(e.json(), "\"error\""));
    });
    CHECK(contains(b.posts_create(kPost), "\"postSubmissionId\""));
}

void results_are_the_whole_json() {
    soku::Client client(config(env("SOKU_API_KEY")));
    std::string out = client.posts_create(kPost, R"({"idempotencyKey": "cpp-test-key-1"})");
    CHECK(out.rfind("{", 0) == 0);
    CHECK(contains(out, "\"data\"") && contains(out, "\"meta\""));
    CHECK(contains(out, "\"idempotencyKey\":\"cpp-test-key-1\""));
    out = client.media_upload(R"({"url": "https://example.com/a.png"})");
    CHECK(contains(out, "\"url\""));
    out = client.api_keys_list("{}");
    CHECK(contains(out, "\"data\""));
}

void every_operation_reaches_its_c_function() {
    using Method = std::string (soku::Client::*)(const std::string &, const std::string &) const;
    const Method methods[] = {
        &soku::Client::posts_create,        &soku::Client::media_upload,
        &soku::Client::templates_render,    &soku::Client::ai_transcribe,
        &soku::Client::api_keys_create,     &soku::Client::api_keys_list,
        &soku::Client::api_keys_revoke,     &soku::Client::api_keys_rotate,
        &soku::Client::posts_publish_batch, &soku::Client::posts_publish_with_media,
        &soku::Client::posts_publish_with_template, &soku::Client::templates_render_og,
    };
    soku::Client client(config(env("SOKU_API_KEY")));
    for (Method m : methods) {
        // malformed request JSON: each C function rejects it before any I/O
        EXPECT_ERROR((client.*m)("{not json", ""), [](const soku::Error &e) {
            CHECK(e.result() == SOKU_ERR_INVALID_ARGUMENT && e.kind() == "invalid_argument");
            CHECK(contains(e.message(), "request"));
        });
    }
}

void api_error_has_kind_status_code_request_id() {
    soku::Client client(config(env("SOKU_INACTIVE_API_KEY")));
    EXPECT_ERROR(client.posts_create(kPost), [](const soku::Error &e) {
        CHECK(e.result() == SOKU_ERR_API);
        CHECK(e.kind() == "api");
        CHECK(e.status() == 403);
        CHECK(e.code() == "forbidden");
        CHECK(e.request_id().rfind("req_", 0) == 0);
        CHECK(!e.message().empty());
        CHECK(contains(e.json(), "\"requestId\":\"" ) && contains(e.json(), "\"meta\""));
        std::string what = e.what();
        CHECK(contains(what, "api error") && contains(what, "403") && contains(what, "forbidden"));
        CHECK(contains(what, e.request_id().c_str()));
        CHECK(!contains(what, "sk_live_") && !contains(e.json(), "sk_live_"));
        soku::Error copy = e; // copies share the fields
        CHECK(copy.code() == e.code() && copy.json() == e.json());
    });
}

void bad_configuration_throws_from_the_constructor() {
    EXPECT_ERROR(soku::Client("{not json"), [](const soku::Error &e) {
        CHECK(e.result() == SOKU_ERR_INVALID_ARGUMENT && e.kind() == "invalid_argument");
    });
    EXPECT_ERROR(soku::Client(R"({"timeoutMs": 0})"), [](const soku::Error &e) {
        CHECK(e.result() == SOKU_ERR_CONFIG && e.kind() == "config");
        CHECK(contains(e.message(), "timeout"));
        CHECK(e.param() == "timeoutMs");
    });
    // The proxy key reaches the library: a SOCKS URL is a config error naming it, password unseen.
    EXPECT_ERROR(soku::Client(R"({"proxy": "socks5://u:hpp-secret@127.0.0.1:1080"})"),
                 [](const soku::Error &e) {
                     CHECK(e.result() == SOKU_ERR_CONFIG && e.kind() == "config");
                     CHECK(e.param() == "proxy");
                     CHECK(contains(e.message(), "(config key \"proxy\")"));
                     CHECK(!contains(e.what(), "hpp-secret") && !contains(e.json(), "hpp-secret"));
                 });
}

void nul_bytes_are_rejected_before_sending() {
    soku::Client client(config(env("SOKU_API_KEY")));
    std::string request(kPost);
    request.insert(10, 1, '\0');
    EXPECT_ERROR(client.posts_create(request), [](const soku::Error &e) {
        CHECK(e.result() == SOKU_ERR_INVALID_ARGUMENT && e.kind() == "invalid_argument");
        CHECK(e.message() == "request_json contains a NUL byte");
        CHECK(e.param() == "request_json");
    });
    EXPECT_ERROR(client.posts_create(kPost, std::string("{}\0x", 4)), [](const soku::Error &e) {
        CHECK(e.message() == "options_json contains a NUL byte");
    });
    EXPECT_ERROR(soku::Client(std::string("{}\0", 3)), [](const soku::Error &e) {
        CHECK(e.message() == "config_json contains a NUL byte");
    });
}

const char *const kBatch = R"({"posts": [
    {"post": {"content": {"text": "batch one from C++", "platform": ["x"]}}},
    {"post": {"content": {"text": "batch two from C++", "platform": ["x"]}}}]})";

void cancelled_token_stops_a_batch_before_any_post() {
    soku::Client client(config(env("SOKU_API_KEY")));
    soku::CancelToken token;
    CHECK(token.handle() != nullptr);
    token.cancel();
    token.cancel(); // again: a no-op
    long before = submissions();
    std::string out = client.posts_publish_batch(kBatch, token);
    CHECK(contains(out, "\"cancelled\":true"));
    CHECK(contains(out, "\"succeeded\":0") && contains(out, "\"failed\":0"));
    CHECK(!contains(out, "postSubmissionId"));
    CHECK(submissions() == before); // the sandbox saw no post
}

void moved_from_token_is_inert_and_a_live_token_lets_the_batch_run() {
    static_assert(!std::is_copy_constructible_v<soku::CancelToken>, "move-only");
    static_assert(std::is_nothrow_move_constructible_v<soku::CancelToken>, "noexcept move");
    soku::Client client(config(env("SOKU_API_KEY")));
    soku::CancelToken a;
    const SokuCancelToken *handle = a.handle();
    soku::CancelToken b(std::move(a));
    CHECK(a.handle() == nullptr && b.handle() == handle);
    a.cancel(); // moved-from: a no-op, and it does not cancel b
    std::string out = client.posts_publish_batch(kBatch, b);
    CHECK(contains(out, "\"cancelled\":false"));
    CHECK(contains(out, "\"succeeded\":2"));
    soku::CancelToken c;
    c = std::move(b); // frees c's own token, takes b's
    CHECK(c.handle() == handle && b.handle() == nullptr);
    out = client.posts_publish_batch(kBatch, a); // a moved-from token: as if none
    CHECK(contains(out, "\"succeeded\":2"));
}

// Three text posts for a batch.
const char *const kThreePosts = R"({"posts": [)"
                                R"({"post": {"content": {"text": "batch 0", "platform": ["x"]}}},)"
                                R"({"post": {"content": {"text": "batch 1", "platform": ["x"]}}},)"
                                R"({"post": {"content": {"text": "batch 2", "platform": ["x"]}}}]})";

void a_batch_cancelled_from_another_thread_stops_before_its_next_post() {
    soku::Client client(config(env("SOKU_API_KEY")));
    soku::CancelToken token;
    long before = submissions();
    // The first post's answer says the rate-limit window is used up until 50 s from now: the
    // batch then waits for the reset before its second post, and the other thread cancels it
    // during that wait (once the sandbox has accepted the first post).
    sandbox("POST", "/__sandbox/faults",
            R"({"path": "/v1/posts", "method": "POST", "count": 1,)"
            R"( "headers": {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "50"}})");
    std::thread canceller([&token, before] {
        // Bounded, so a batch that never sends cannot hang the test (the checks then fail).
        for (int i = 0; i < 3000 && submissions() == before; i++)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        token.cancel();
    });
    std::string out;
    try {
        out = client.posts_publish_batch(kThreePosts, token);
    } catch (...) {
        canceller.join();
        throw;
    }
    canceller.join();
    // A batch that was not cancelled would have waited ~50 s and sent all three posts.
    CHECK(contains(out, "\"cancelled\":true"));
    CHECK(contains(out, "\"summary\":{\"total\":3,\"succeeded\":1,\"failed\":0}"));
    CHECK(contains(out, "\"index\":0") && !contains(out, "\"index\":1"));
    CHECK(submissions() == before + 1);
    sandbox("DELETE", "/__sandbox/faults");
}

void error_json_reader_handles_escapes_and_nesting() {
    soku::Error e(SOKU_ERR_API,
                  R"( {"meta": {"a": [1, -2.5e3, {"b": null}, "x\"y"], "c": true},)"
                  R"( "error": {"details": {"n": [[], {}]}, "kind": "api", "status": 429,)"
                  R"( "code": "rate_limit_exceeded", "retryAfter": 1.5,)"
                  R"( "message": "slow \"down\" \\ \/ \u00e9 \ud83d\ude00 \n",)"
                  R"( "requestId": "req_\u0031"}} )");
    CHECK(e.kind() == "api");
    CHECK(e.status() == 429);
    CHECK(e.code() == "rate_limit_exceeded");
    CHECK(e.message() == "slow \"down\" \\ / \xc3\xa9 \xf0\x9f\x98\x80 \n");
    CHECK(e.request_id() == "req_1");
    soku::Error nulls(SOKU_ERR_TRANSPORT,
                      R"({"error": {"kind": "transport", "status": null, "code": null,)"
                      R"( "message": "connect failed", "requestId": null}, "meta": null})");
    CHECK(nulls.kind() == "transport" && nulls.status() == 0 && nulls.code().empty());
    CHECK(nulls.request_id().empty() && nulls.message() == "connect failed");
}

// Any valid error JSON keeps every field: details and meta nested 100 000 levels deep, a 1 MiB
// message, non-ASCII text (raw UTF-8 and escapes), an escaped NUL, a lone surrogate (U+FFFD).
void large_deep_and_non_ascii_error_json_keeps_every_field() {
    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    std::string big(1 << 20, 'x');
    soku::Error e(SOKU_ERR_API,
                  "{\"meta\": " + deep + ", \"error\": {\"details\": {\"d\": " + deep +
                      "}, \"kind\": \"api\", \"status\": 422, \"code\": \"validation_error\", "
                      "\"message\": \"" + big + "\", \"requestId\": \"req_big\", \"param\": null}}");
    CHECK(e.kind() == "api" && e.status() == 422 && e.code() == "validation_error");
    CHECK(e.request_id() == "req_big" && e.message() == big && e.param().empty());
    soku::Error u(SOKU_ERR_INVALID_ARGUMENT,
                  R"({"error": {"kind": "invalid_argument", "status": null, "code": null,)"
                  R"( "message": "texte refusé \u00e9 日本語 \ud83d cut \u0000 nul",)"
                  R"( "requestId": "req_ü", "param": "post.content.text"}, "meta": null})");
    CHECK(u.kind() == "invalid_argument" && u.status() == 0);
    CHECK(u.message() == std::string("texte refus\xc3\xa9 \xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
                                     "\xef\xbf\xbd cut \0 nul", 40));
    CHECK(u.request_id() == "req_\xc3\xbc" && u.param() == "post.content.text");
    CHECK(contains(u.what(), "invalid_argument error"));
}

// JSON-escapes quotes and backslashes (the test's envelopes hold no control characters).
std::string json_string(const std::string &text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// A hostile answer through the whole stack: the sandbox answers 422 with an envelope of 100 KiB
// whose details nest 200 levels (past the 128 of common JSON parsers) and whose message is
// non-ASCII; soku::Error keeps the server's code, request id and message.
void a_large_deep_non_ascii_api_error_keeps_code_and_request_id() {
    std::string details = std::string(200, '[') + "0" + std::string(200, ']');
    std::string message = "refusé 😀 " + std::string(100 * 1024, 'y');
    std::string envelope = R"({"error": {"type": "invalid_request_error", "details": )" + details +
                           R"(, "code": "validation_error", "message": )" + json_string(message) +
                           R"(, "requestId": "req_hostile_ü"}})";
    sandbox("POST", "/__sandbox/faults",
            R"({"path": "/v1/posts", "method": "POST", "count": 1, "status": 422, "body": )" +
                json_string(envelope) + "}");
    soku::Client client(config(env("SOKU_API_KEY")));
    EXPECT_ERROR(client.posts_create(kPost), [&](const soku::Error &e) {
        CHECK(e.result() == SOKU_ERR_API && e.kind() == "api" && e.status() == 422);
        CHECK(e.code() == "validation_error");
        CHECK(e.request_id().rfind("req_", 0) == 0); // the sandbox's X-Request-Id header wins
        CHECK(e.message() == message);
        CHECK(contains(e.json(), "\"omitted\":\"details nested deeper than 64 levels\""));
    });
    sandbox("DELETE", "/__sandbox/faults");
}

void malformed_error_json_keeps_only_the_raw_text() {
    const char *bad[] = {
        "",
        "not json",
        R"({"error": {"kind": "api")",                          // truncated
        R"({"error": {"kind": "api", "status": 01}})",          // leading zero
        R"({"error": {"kind": "api"}} trailing)",               // garbage after the object
        "{\"error\": {\"kind\": \"a\tb\"}}",                   // raw control character
        R"({"error": {"kind": "api", "code": 5}})",             // a member of the wrong type
        R"({"error": {"code": "x"}})",                          // no kind
    };
    for (const char *json : bad) {
        soku::Error e(SOKU_ERR_DECODE, json);
        CHECK(e.kind().empty() && e.status() == 0 && e.message().empty() && e.code().empty());
        CHECK(e.json() == json);
        CHECK(std::strcmp(e.what(), soku_status_str(SOKU_ERR_DECODE)) == 0);
    }
    std::string with_nul("{\"error\": {\"kind\": \"api\"}}\0x", 28);
    soku::Error nul(SOKU_ERR_DECODE, with_nul);
    CHECK(nul.kind().empty() && nul.json() == with_nul);
}

// posts_publish_batch(request, {}) is the options overload (it once was ambiguous with the
// CancelToken overload); both forms still run.
void publish_batch_with_empty_braces_compiles_and_runs() {
    soku::Client client(config(env("SOKU_API_KEY")));
    std::string out = client.posts_publish_batch(kBatch, {});
    CHECK(contains(out, "\"succeeded\":2"));
    soku::CancelToken token;
    out = client.posts_publish_batch(kBatch, token, {});
    CHECK(contains(out, "\"succeeded\":2") && contains(out, "\"cancelled\":false"));
}

} // namespace

int main() {
    RUN(client_is_move_only_raii);
    RUN(moved_from_client_throws_invalid_argument);
    RUN(results_are_the_whole_json);
    RUN(every_operation_reaches_its_c_function);
    RUN(api_error_has_kind_status_code_request_id);
    RUN(bad_configuration_throws_from_the_constructor);
    RUN(nul_bytes_are_rejected_before_sending);
    RUN(cancelled_token_stops_a_batch_before_any_post);
    RUN(moved_from_token_is_inert_and_a_live_token_lets_the_batch_run);
    RUN(a_batch_cancelled_from_another_thread_stops_before_its_next_post);
    RUN(error_json_reader_handles_escapes_and_nesting);
    RUN(large_deep_and_non_ascii_error_json_keeps_every_field);
    RUN(a_large_deep_non_ascii_api_error_keeps_code_and_request_id);
    RUN(malformed_error_json_keeps_only_the_raw_text);
    RUN(publish_batch_with_empty_braces_compiles_and_runs);
    std::printf("test_soku_hpp: %d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
