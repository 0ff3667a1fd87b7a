/*
 * json_check.h: a minimal JSON reader for the soku C tests.
 *
 * It validates a whole document (RFC 8259 grammar, no semantic checks such as duplicate keys)
 * and looks values up by a dotted path of object keys ("error.kind", "meta.rateLimit.tier") or
 * array indexes ("data.results.0.ok"). Enough to assert on the library's JSON honestly, without
 * substring matching. Keys and strings are compared byte-wise after the escape "\"" only; the
 * library's JSON keys never need escapes.
 */
#ifndef SOKU_JSON_CHECK_H
#define SOKU_JSON_CHECK_H

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static inline const char *jc_value(const char *p);

static inline const char *jc_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* p at '"'; returns the pointer after the closing quote, or NULL. */
static inline const char *jc_string(const char *p) {
    if (*p != '"') return NULL;
    p++;
    while (*p && *p != '"') {
        if ((unsigned char)*p < 0x20) return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                int i;
                for (i = 1; i <= 4; i++)
                    if (!isxdigit((unsigned char)p[i])) return NULL;
                p += 4;
            } else if (!strchr("\"\\/bfnrt", *p) || *p == '\0') {
                return NULL;
            }
        }
        p++;
    }
    return *p == '"' ? p + 1 : NULL;
}

static inline const char *jc_number(const char *p) {
    if (*p == '-') p++;
    if (*p == '0') {
        p++;
    } else if (isdigit((unsigned char)*p)) {
        while (isdigit((unsigned char)*p)) p++;
    } else {
        return NULL;
    }
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) return NULL;
        while (isdigit((unsigned char)*p)) p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) return NULL;
        while (isdigit((unsigned char)*p)) p++;
    }
    return p;
}

/* p at '{' or '['; returns the pointer after the closing bracket, or NULL. */
static inline const char *jc_container(const char *p) {
    char close = *p == '{' ? '}' : ']';
    int object = *p == '{';
    p = jc_ws(p + 1);
    if (*p == close) return p + 1;
    for (;;) {
        if (object) {
            p = jc_string(p);
            if (!p) return NULL;
            p = jc_ws(p);
            if (*p != ':') return NULL;
            p = jc_ws(p + 1);
        }
        p = jc_value(p);
        if (!p) return NULL;
        p = jc_ws(p);
        if (*p == close) return p + 1;
        if (*p != ',') return NULL;
        p = jc_ws(p + 1);
    }
}

/* Skips one value at p (no leading whitespace); returns the pointer after it, or NULL. */
static inline const char *jc_value(const char *p) {
    switch (*p) {
    case '{':
    case '[': return jc_container(p);
    case '"': return jc_string(p);
    case 't': return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f': return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n': return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default: return jc_number(p);
    }
}

/* 1 if json is exactly one valid JSON value (surrounding whitespace allowed). */
static inline int json_valid(const char *json) {
    const char *end;
    if (!json) return 0;
    end = jc_value(jc_ws(json));
    return end != NULL && *jc_ws(end) == '\0';
}

/* Finds the value at a dotted path; returns a pointer to its first byte, or NULL. */
static inline const char *json_get(const char *json, const char *path) {
    const char *p;
    if (!json_valid(json)) return NULL;
    p = jc_ws(json);
    while (*path) {
        size_t len = strcspn(path, ".");
        if (*p == '{') {
            p = jc_ws(p + 1);
            for (;;) {
                const char *key = p, *end;
                if (*p != '"') return NULL;
                end = jc_string(p);
                p = jc_ws(jc_ws(end) + 1); /* skip ':' */
                if ((size_t)(end - key - 2) == len && strncmp(key + 1, path, len) == 0) break;
                p = jc_ws(jc_value(p));
                if (*p != ',') return NULL;
                p = jc_ws(p + 1);
            }
        } else if (*p == '[') {
            long index = strtol(path, NULL, 10), i;
            p = jc_ws(p + 1);
            if (*p == ']') return NULL;
            for (i = 0; i < index; i++) {
                p = jc_ws(jc_value(p));
                if (*p != ',') return NULL;
                p = jc_ws(p + 1);
            }
        } else {
            return NULL;
        }
        path += len;
        if (*path == '.') path++;
    }
    return p;
}

/* 1 if the value at path is the JSON string `expected` (no escapes in it). */
static inline int json_str_is(const char *json, const char *path, const char *expected) {
    const char *v = json_get(json, path);
    size_t len = strlen(expected);
    return v && *v == '"' && strncmp(v + 1, expected, len) == 0 && v[len + 1] == '"';
}

/* 1 if the value at path is a non-empty JSON string. */
static inline int json_is_nonempty_string(const char *json, const char *path) {
    const char *v = json_get(json, path);
    return v && *v == '"' && v[1] != '"';
}

/* Reads the integer at path into *value; 1 on success (0 for non-integers, e.g. 1.5). */
static inline int json_int(const char *json, const char *path, long *value) {
    const char *v = json_get(json, path);
    char *end;
    if (!v || !(*v == '-' || isdigit((unsigned char)*v))) return 0;
    *value = strtol(v, &end, 10);
    return *end != '.' && *end != 'e' && *end != 'E';
}

/* 1 if the value at path is the integer `expected`. */
static inline int json_int_is(const char *json, const char *path, long expected) {
    long n;
    return json_int(json, path, &n) && n == expected;
}

/* 1 if the value at path starts with the JSON literal `literal` (null, true, false, "[", "{"). */
static inline int json_starts(const char *json, const char *path, const char *literal) {
    const char *v = json_get(json, path);
    return v && strncmp(v, literal, strlen(literal)) == 0;
}

/* Copies the string at path (without escapes) into buf; 1 on success. */
static inline int json_str_copy(const char *json, const char *path, char *buf, size_t size) {
    const char *v = json_get(json, path), *end;
    size_t len;
    if (!v || *v != '"') return 0;
    end = jc_string(v);
    len = (size_t)(end - v - 2);
    if (len + 1 > size || memchr(v + 1, '\\', len)) return 0;
    memcpy(buf, v + 1, len);
    buf[len] = '\0';
    return 1;
}

#endif
