#pragma once
// The dynamic value of the Jinja interpreter: what a template's variables, literals and results
// are. It mirrors @huggingface/jinja's runtime values (the oracle the interpreter is checked
// against), including its JavaScript-flavoured conversions: `~` and `join` print numbers as
// JavaScript does, `{{ x }}` prints floats as Python does ("2.0"), `==` is JavaScript's loose
// equality on the underlying values, and lists, dicts and namespaces are shared by reference.

#include <QHash>
#include <QJsonValue>
#include <QString>

#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace ft::jinja {

class Environment;
class Value;

using ValueList = std::vector<Value>;
using EnvironmentPtr = std::shared_ptr<Environment>;
// A callable: positional arguments, then (when the call had any) one Kwargs dict last, as the oracle
// passes them; `env` is the caller's scope (macros see it, as in the oracle).
using Callable = std::function<Value(ValueList& args, const EnvironmentPtr& env)>;

// A dict that keeps its keys in insertion order (a JavaScript Map: setting an existing key keeps its place).
class Dict {
public:
    const Value* find(const QString& key) const;
    void set(const QString& key, const Value& value);
    bool remove(const QString& key);
    bool contains(const QString& key) const { return index_.contains(key); }
    qsizetype size() const { return qsizetype(entries_.size()); }
    const std::vector<std::pair<QString, Value>>& entries() const { return entries_; }

private:
    std::vector<std::pair<QString, Value>> entries_;
    QHash<QString, qsizetype> index_;
};

class Value {
public:
    // Tuple is a List (as the oracle's TupleValue is an ArrayValue); Kwargs is a Dict (keyword arguments).
    enum class Kind { Undefined, None, Bool, Int, Float, String, List, Tuple, Dict, Kwargs, Namespace, Function };

    Value() = default; // undefined
    static Value none();
    static Value boolean(bool value);
    static Value integer(qint64 value);
    static Value real(double value);
    static Value string(const QString& value);
    static Value list(ValueList items = {});
    static Value tuple(ValueList items);
    static Value dict(Kind kind = Kind::Dict); // Dict, Kwargs or Namespace, empty
    static Value function(const QString& name, Callable callable);
    // A JavaScript number: an integer when its value is integral (Number.isInteger), else a float.
    static Value jsNumber(double value);
    // JSON (numbers with an integral value become integers, as the oracle's JSON.parse + Number.isInteger do).
    // Objects come in QJsonObject's order (sorted keys); parseJson (jinja_json.h) keeps the text's order.
    static Value fromJson(const QJsonValue& json);

    Kind kind() const { return kind_; }
    bool isUndefined() const { return kind_ == Kind::Undefined; }
    bool isNone() const { return kind_ == Kind::None; }
    bool isBool() const { return kind_ == Kind::Bool; }
    bool isInt() const { return kind_ == Kind::Int; }
    bool isFloat() const { return kind_ == Kind::Float; }
    bool isNumber() const { return kind_ == Kind::Int || kind_ == Kind::Float; }
    bool isString() const { return kind_ == Kind::String; }
    bool isList() const { return kind_ == Kind::List || kind_ == Kind::Tuple; }
    bool isDict() const { return kind_ == Kind::Dict || kind_ == Kind::Kwargs; }
    bool isNamespace() const { return kind_ == Kind::Namespace; }
    bool isAttributeContainer() const { return isDict() || isNamespace(); }
    bool isFunction() const { return kind_ == Kind::Function; }

    bool boolValue() const { return bool_; }
    qint64 intValue() const { return int_; }
    double numberValue() const { return kind_ == Kind::Int ? double(int_) : kind_ == Kind::Bool ? double(bool_) : real_; }
    const QString& stringValue() const { return string_; }
    ValueList& items() const { return *list_; }   // List, Tuple
    Dict& entries() const { return *dict_; }      // Dict, Kwargs, Namespace
    const Callable& callable() const { return *function_; }
    const QString& functionName() const { return string_; }

    // The oracle's type names, used in error messages ("StringValue").
    QString typeName() const;
    // Python's (and the oracle's) truthiness: empty strings, lists and dicts are false.
    bool truthy() const;
    // How `{{ value }}` prints it (the oracle's toString): floats as "2.0", booleans as "true",
    // lists and dicts as JSON, none and undefined as "undefined" (as inside String(list); the
    // interpreter skips them in `{{ }}`).
    QString toOutput() const;
    // JavaScript's String(value.value), which `~`, `+` with a string, and `join` use: floats as "2",
    // lists as their items joined with ",", dicts as "[object Map]".
    QString toJsString() const;
    // The same storage (lists, dicts, namespaces, functions), as JavaScript's === compares objects.
    bool sameObject(const Value& other) const;

private:
    Kind kind_ = Kind::Undefined;
    bool bool_ = false;
    qint64 int_ = 0;
    double real_ = 0;
    QString string_;
    std::shared_ptr<ValueList> list_;
    std::shared_ptr<Dict> dict_;
    std::shared_ptr<Callable> function_;
};

// JavaScript's `a.value == b.value` (loose equality: "1" == 1, "" == false, none == undefined).
bool looseEquals(const Value& a, const Value& b);
// JavaScript's `a.value === b.value` (`in` on lists, `unique`, the eq test): 1 === 1.0, objects by identity.
bool strictEquals(const Value& a, const Value& b);
// JavaScript's Number.prototype.toString (shortest round trip; exponents below 1e-7 and from 1e21).
QString jsNumberToString(double value);
// JavaScript's Number(string): NaN when the text is not a number.
double jsStringToNumber(const QString& text);
// JavaScript's whitespace (\s, and what trim() removes).
bool isJsSpace(QChar c);
QString jsTrim(const QString& text);
QString jsTrimStart(const QString& text);
QString jsTrimEnd(const QString& text);

} // namespace ft::jinja
