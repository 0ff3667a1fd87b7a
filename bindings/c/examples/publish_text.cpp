// publish_text.cpp: publish a text post to X and Threads from C++17 with soku.hpp.
//
// Reads SOKU_API_KEY and SOKU_BASE_URL from the environment. Prints the postSubmissionId, or
// the error code and request id (soku::Error). The request is built and the result read with
// jansson, so the text may contain any character.
//
//   SOKU_API_KEY=sk_live_... ./publish_text_cpp "Hello from C++"
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <jansson.h>
#include <soku.hpp>

namespace {
struct JsonRelease {
    void operator()(json_t *json) const { json_decref(json); }
};
struct Free {
    void operator()(char *s) const { std::free(s); } // json_dumps's string is freed with free()
};
using Json = std::unique_ptr<json_t, JsonRelease>;
} // namespace

int main(int argc, char **argv) {
    const char *text = argc > 1 ? argv[1] : "Hello from the soku C++ example";
    try {
        soku::Client client; // "{}": apiKey and baseUrl from SOKU_API_KEY and SOKU_BASE_URL
        Json request(json_pack("{s:{s:{s:s, s:[s, s]}}}", "post", "content", "text", text,
                               "platform", "x", "threads"));
        if (!request) {
            std::cerr << "error: could not build the request (is the text valid UTF-8?)\n";
            return 2;
        }
        std::unique_ptr<char, Free> body(json_dumps(request.get(), JSON_COMPACT));
        if (!body) throw std::bad_alloc();

        Json result(json_loads(client.posts_create(body.get()).c_str(), 0, nullptr));
        const char *id = nullptr;
        if (json_unpack(result.get(), "{s:{s:s}}", "data", "postSubmissionId", &id) == 0)
            std::cout << "postSubmissionId: " << id << "\n";
        return 0;
    } catch (const soku::Error &e) {
        // e.code() is empty for errors without an HTTP answer; e.kind() says what happened
        std::cerr << "error: " << (e.code().empty() ? e.kind() : e.code()) << " (request "
                  << (e.request_id().empty() ? "none" : e.request_id()) << ")\n  " << e.message()
                  << "\n";
        return 1;
    }
}
