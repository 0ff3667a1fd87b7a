/*
 * publish_batch.c: publish a week of posts one after another (soku_posts_publish_batch), paced
 * by the rate-limit headers; a failed post does not stop the batch.
 *
 *   SOKU_API_KEY=sk_live_... ./publish_batch
 */
#include "common.h"

int main(void) {
    static const char *const week[][3] = { /* text, then two platforms */
        {"Monday motivation: consistency beats perfection.", "threads", "x"},
        {"Tuesday tip: automate what you repeat.", "threads", "x"},
        {"Wednesday wisdom: ship, then polish.", "threads", "linkedin"},
    };
    size_t i, failed = 0;
    int32_t status;
    json_t *posts = json_array(), *results, *item;
    SokuClient *client = example_client();
    json_t *result;

    for (i = 0; i < sizeof week / sizeof week[0]; i++)
        json_array_append_new(posts, json_pack("{s:{s:{s:s, s:[s, s]}}}", "post", "content",
                                               "text", week[i][0], "platform", week[i][1],
                                               week[i][2]));
    result = example_call(soku_posts_publish_batch, client, json_pack("{s:o}", "posts", posts),
                          &status);
    if (status != SOKU_OK) /* the input itself was rejected; nothing was sent */
        return example_finish(client, status, result);

    results = json_object_get(json_object_get(result, "data"), "results");
    json_array_foreach(results, i, item) {
        const char *id = json_string_value(json_object_get(item, "postSubmissionId"));
        const char *code =
            json_string_value(json_object_get(json_object_get(item, "error"), "code"));
        if (id) {
            printf("#%zu published: %s\n", i, id);
        } else {
            printf("#%zu failed: %s\n", i, code ? code : "?");
            failed++;
        }
    }
    printf("%zu succeeded, %zu failed\n", json_array_size(results) - failed, failed);
    example_finish(client, status, result);
    return failed == 0 ? 0 : 1;
}
