/* JOULE_API marks what libjoule exports: the classes and functions that the
 * headers in include/joule/ promise, and the C API. Everything else is built
 * with -fvisibility=hidden and stays inside the library, so programs can only
 * come to depend on the public API. Classes carry the mark whole (their
 * typeinfo too, so exceptions thrown inside the library are caught outside).
 * Inline functions and templates in the public headers need no mark. */
#ifndef JOULE_EXPORT_H
#define JOULE_EXPORT_H

#define JOULE_API __attribute__((visibility("default")))

#endif /* JOULE_EXPORT_H */
