// smoke.cpp: the header used from C++ (extern "C" linkage, const correctness) without a server.
#include "soku.h"

#include <cstdio>
#include <cstring>

int main() {
    int failures = 0;
    if (std::strcmp(soku_version(), SOKU_VERSION_STRING) != 0) failures++;

    SokuClient *client = nullptr;
    char *out = nullptr;
    if (soku_client_new("{\"apiKey\": \"sk_live_cpp\", \"baseUrl\": \"http://127.0.0.1:1\", "
                        "\"maxRetries\": 0}",
                        &client, &out) != SOKU_OK)
        failures++;
    soku_string_free(out);

    const SokuClient *shared = client;
    int32_t status = soku_posts_create(shared, "not json", nullptr, &out);
    if (status != SOKU_ERR_INVALID_ARGUMENT || !std::strstr(out, "\"kind\":\"invalid_argument\""))
        failures++;
    soku_string_free(out);
    soku_client_free(client);

    std::printf("smoke_cpp: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
