#pragma once
// What the interpreter provides besides the grammar: tests (`is defined`), the methods of strings,
// dicts and lists (`text.split(',')`, `d.items()`), the global functions and constants, and the
// helpers the filters share. They behave as @huggingface/jinja's do; the few additions beyond it
// (list.append, dict(), the float/in/ne/sameas/divisibleby tests) are listed in docs/chat-templates.md.
// Failures are thrown as jinja::Failure; the interpreter adds the position.

#include "chat/jinja_value.h"

#include <QDateTime>

#include <optional>

namespace ft::jinja {

// Names the parser accepts after `|` and after `is`.
bool isKnownFilter(const QString& name);
bool isKnownTest(const QString& name);

// Runs test `name` on `operand`, with `args` (selectattr's value, or an extension's argument).
bool runTest(const QString& name, const Value& operand, const ValueList& args);

// `object.name` for strings (methods, `length`), lists (`length`, `append`) and dicts (get, items,
// keys, values, dictsort); undefined when there is none. Dict entries are looked up by the caller.
Value builtinMember(const Value& object, const QString& name);

// The oracle's compareRuntimeValues (sort, dictsort): numbers (and booleans) by value, strings
// (case-insensitively unless caseSensitive), equal none/undefined; anything else is a Failure.
int compareValues(const Value& a, const Value& b, bool caseSensitive);
// `item.a.b.0` for sort(attribute=...) and map(attribute=...): dict keys and list indices.
Value attributePath(const Value& item, const QString& path);

// false/true/none, True/False/None, raise_exception, range, strftime_now (at `now`, else the
// current local time), namespace, dict.
void installGlobals(Environment& env, const std::optional<QDateTime>& now);

// Python's strftime for the directives the oracle knows (%Y %m %d %b %B %H %M %%), English month
// names; other directives are left as written.
QString strftime(const QDateTime& time, const QString& format);

} // namespace ft::jinja
