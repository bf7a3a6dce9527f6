#include "chat/jinja_value.h"

#include "chat/jinja_json.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <charconv>
#include <cmath>

namespace ft::jinja {

// ---- Dict -------------------------------------------------------------------------------------

const Value* Dict::find(const QString& key) const
{
    const auto it = index_.constFind(key);
    return it == index_.constEnd() ? nullptr : &entries_[size_t(*it)].second;
}

void Dict::set(const QString& key, const Value& value)
{
    const auto it = index_.constFind(key);
    if (it != index_.constEnd()) {
        entries_[size_t(*it)].second = value;
        return;
    }
    index_.insert(key, qsizetype(entries_.size()));
    entries_.emplace_back(key, value);
}

bool Dict::remove(const QString& key)
{
    const auto it = index_.constFind(key);
    if (it == index_.constEnd())
        return false;
    entries_.erase(entries_.begin() + *it);
    index_.clear();
    for (size_t i = 0; i < entries_.size(); ++i)
        index_.insert(entries_[i].first, qsizetype(i));
    return true;
}

// ---- construction -----------------------------------------------------------------------------

Value Value::none()
{
    Value v;
    v.kind_ = Kind::None;
    return v;
}

Value Value::boolean(bool value)
{
    Value v;
    v.kind_ = Kind::Bool;
    v.bool_ = value;
    return v;
}

Value Value::integer(qint64 value)
{
    Value v;
    v.kind_ = Kind::Int;
    v.int_ = value;
    return v;
}

Value Value::real(double value)
{
    Value v;
    v.kind_ = Kind::Float;
    v.real_ = value;
    return v;
}

Value Value::jsNumber(double value)
{
    if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 9.2e18)
        return integer(qint64(value));
    return real(value);
}

Value Value::string(const QString& value)
{
    Value v;
    v.kind_ = Kind::String;
    v.string_ = value;
    return v;
}

Value Value::list(ValueList items)
{
    Value v;
    v.kind_ = Kind::List;
    v.list_ = std::make_shared<ValueList>(std::move(items));
    return v;
}

Value Value::tuple(ValueList items)
{
    Value v = list(std::move(items));
    v.kind_ = Kind::Tuple;
    return v;
}

Value Value::dict(Kind kind)
{
    Value v;
    v.kind_ = kind == Kind::Kwargs || kind == Kind::Namespace ? kind : Kind::Dict;
    v.dict_ = std::make_shared<Dict>();
    return v;
}

Value Value::function(const QString& name, Callable callable)
{
    Value v;
    v.kind_ = Kind::Function;
    v.string_ = name;
    v.function_ = std::make_shared<Callable>(std::move(callable));
    return v;
}

Value Value::fromJson(const QJsonValue& json)
{
    switch (json.type()) {
    case QJsonValue::Null:
        return none();
    case QJsonValue::Bool:
        return boolean(json.toBool());
    case QJsonValue::Double:
        return jsNumber(json.toDouble());
    case QJsonValue::String:
        return string(json.toString());
    case QJsonValue::Array: {
        ValueList items;
        for (const QJsonValue& item : json.toArray())
            items.push_back(fromJson(item));
        return list(std::move(items));
    }
    case QJsonValue::Object: {
        Value v = dict();
        const QJsonObject object = json.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            v.entries().set(it.key(), fromJson(it.value()));
        return v;
    }
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

// ---- conversions ------------------------------------------------------------------------------

QString Value::typeName() const
{
    switch (kind_) {
    case Kind::Undefined: return QStringLiteral("UndefinedValue");
    case Kind::None: return QStringLiteral("NullValue");
    case Kind::Bool: return QStringLiteral("BooleanValue");
    case Kind::Int: return QStringLiteral("IntegerValue");
    case Kind::Float: return QStringLiteral("FloatValue");
    case Kind::String: return QStringLiteral("StringValue");
    case Kind::List: return QStringLiteral("ArrayValue");
    case Kind::Tuple: return QStringLiteral("TupleValue");
    case Kind::Dict: return QStringLiteral("ObjectValue");
    case Kind::Kwargs: return QStringLiteral("KeywordArgumentsValue");
    case Kind::Namespace: return QStringLiteral("NamespaceValue");
    case Kind::Function: return QStringLiteral("FunctionValue");
    }
    return {};
}

bool Value::truthy() const
{
    switch (kind_) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool: return bool_;
    case Kind::Int: return int_ != 0;
    case Kind::Float: return real_ != 0 && !std::isnan(real_);
    case Kind::String: return !string_.isEmpty();
    case Kind::List:
    case Kind::Tuple: return !list_->empty();
    case Kind::Dict:
    case Kind::Kwargs: return dict_->size() > 0;
    case Kind::Namespace:
    case Kind::Function: return true;
    }
    return false;
}

QString Value::toOutput() const
{
    switch (kind_) {
    case Kind::Undefined:
    case Kind::None: return QStringLiteral("undefined");
    case Kind::Bool: return bool_ ? QStringLiteral("true") : QStringLiteral("false");
    case Kind::Int: return QString::number(int_);
    case Kind::Float: {
        if (real_ == 0 && std::signbit(real_))
            return QStringLiteral("-0.0");
        if (std::isfinite(real_) && real_ == std::trunc(real_) && std::fabs(real_) < 1e21) {
            char buffer[64];
            const auto result = std::to_chars(buffer, buffer + sizeof buffer, real_, std::chars_format::fixed, 1);
            return QString::fromLatin1(buffer, int(result.ptr - buffer));
        }
        return jsNumberToString(real_);
    }
    case Kind::String: return string_;
    case Kind::List:
    case Kind::Tuple:
    case Kind::Dict:
    case Kind::Kwargs:
    case Kind::Namespace: return toJson(*this, {}, false);
    case Kind::Function: return QStringLiteral("function");
    }
    return {};
}

QString Value::toJsString() const
{
    switch (kind_) {
    case Kind::Float: return jsNumberToString(real_);
    case Kind::List:
    case Kind::Tuple: {
        QStringList parts;
        for (const Value& item : *list_)
            parts << item.toOutput();
        return parts.join(QLatin1Char(','));
    }
    case Kind::Dict:
    case Kind::Kwargs:
    case Kind::Namespace: return QStringLiteral("[object Map]");
    default: return toOutput();
    }
}

bool Value::sameObject(const Value& other) const
{
    if (list_ || other.list_)
        return list_ == other.list_;
    if (dict_ || other.dict_)
        return dict_ == other.dict_;
    return function_ && function_ == other.function_;
}

// ---- JavaScript semantics ---------------------------------------------------------------------

namespace {

enum class JsType { Undefined, Boolean, Number, String, Object };

JsType jsType(const Value& v)
{
    switch (v.kind()) {
    case Value::Kind::Undefined:
    case Value::Kind::None: return JsType::Undefined;
    case Value::Kind::Bool: return JsType::Boolean;
    case Value::Kind::Int:
    case Value::Kind::Float: return JsType::Number;
    case Value::Kind::String: return JsType::String;
    default: return JsType::Object;
    }
}

// A primitive after JavaScript's ToPrimitive: objects become their string.
struct Primitive {
    JsType type;
    double number = 0;
    QString text;
    bool flag = false;
};

Primitive primitiveOf(const Value& v)
{
    switch (jsType(v)) {
    case JsType::Boolean: return {JsType::Boolean, 0, {}, v.boolValue()};
    case JsType::Number: return {JsType::Number, v.numberValue(), {}, false};
    case JsType::String: return {JsType::String, 0, v.stringValue(), false};
    case JsType::Object: return {JsType::String, 0, v.toJsString(), false};
    case JsType::Undefined: break;
    }
    return {JsType::Undefined, 0, {}, false};
}

Primitive numberPrimitive(double n) { return {JsType::Number, n, {}, false}; }

bool primitiveLooseEquals(const Primitive& a, const Primitive& b)
{
    if (a.type == b.type) {
        switch (a.type) {
        case JsType::Boolean: return a.flag == b.flag;
        case JsType::Number: return a.number == b.number;
        case JsType::String: return a.text == b.text;
        default: return true;
        }
    }
    if (a.type == JsType::Boolean)
        return primitiveLooseEquals(numberPrimitive(a.flag ? 1.0 : 0.0), b);
    if (b.type == JsType::Boolean)
        return primitiveLooseEquals(a, numberPrimitive(b.flag ? 1.0 : 0.0));
    if (a.type == JsType::String)
        return primitiveLooseEquals(numberPrimitive(jsStringToNumber(a.text)), b);
    if (b.type == JsType::String)
        return primitiveLooseEquals(a, numberPrimitive(jsStringToNumber(b.text)));
    return false;
}

} // namespace

bool looseEquals(const Value& a, const Value& b)
{
    const JsType ta = jsType(a), tb = jsType(b);
    if (ta == JsType::Undefined || tb == JsType::Undefined)
        return ta == tb;
    if (ta == JsType::Object && tb == JsType::Object)
        return a.sameObject(b);
    return primitiveLooseEquals(primitiveOf(a), primitiveOf(b));
}

bool strictEquals(const Value& a, const Value& b)
{
    const JsType ta = jsType(a);
    if (ta != jsType(b))
        return false;
    switch (ta) {
    case JsType::Undefined: return true;
    case JsType::Boolean: return a.boolValue() == b.boolValue();
    case JsType::Number: return a.numberValue() == b.numberValue();
    case JsType::String: return a.stringValue() == b.stringValue();
    case JsType::Object: return a.sameObject(b);
    }
    return false;
}

QString jsNumberToString(double value)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity");
    if (value == 0)
        return QStringLiteral("0");
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    const QString scientific = QString::fromLatin1(buffer, int(result.ptr - buffer)); // "-1.5e-07"
    const bool negative = scientific.startsWith(QLatin1Char('-'));
    const qsizetype e = scientific.indexOf(QLatin1Char('e'));
    QString digits = scientific.mid(negative ? 1 : 0, e - (negative ? 1 : 0)).remove(QLatin1Char('.'));
    const int exponent = scientific.mid(e + 1).toInt();
    const int k = int(digits.size());
    const int n = exponent + 1; // the decimal point sits after n digits
    QString text;
    if (k <= n && n <= 21)
        text = digits + QString(n - k, QLatin1Char('0'));
    else if (0 < n && n <= 21)
        text = digits.left(n) + QLatin1Char('.') + digits.mid(n);
    else if (-6 < n && n <= 0)
        text = QStringLiteral("0.") + QString(-n, QLatin1Char('0')) + digits;
    else
        text = digits.left(1) + (k > 1 ? QLatin1Char('.') + digits.mid(1) : QString()) + QLatin1Char('e') +
               (n - 1 >= 0 ? QLatin1Char('+') : QLatin1Char('-')) + QString::number(std::abs(n - 1));
    return negative ? QLatin1Char('-') + text : text;
}

double jsStringToNumber(const QString& text)
{
    const QString trimmed = jsTrim(text);
    if (trimmed.isEmpty())
        return 0;
    static const QRegularExpression infinity(QStringLiteral("^([+-]?)Infinity$"));
    static const QRegularExpression radix(QStringLiteral("^0([xXoObB])([0-9a-fA-F]+)$"));
    static const QRegularExpression decimal(
        QStringLiteral("^[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"));
    if (const auto match = infinity.match(trimmed); match.hasMatch())
        return match.captured(1) == QLatin1String("-") ? -INFINITY : INFINITY;
    if (const auto match = radix.match(trimmed); match.hasMatch()) {
        const QChar kind = match.captured(1).at(0).toLower();
        const int base = kind == QLatin1Char('x') ? 16 : kind == QLatin1Char('o') ? 8 : 2;
        double result = 0;
        for (const QChar c : match.captured(2)) {
            const int digit = c.isDigit() ? c.digitValue() : c.toLower().unicode() - 'a' + 10;
            if (digit >= base)
                return NAN;
            result = result * base + digit;
        }
        return result;
    }
    if (decimal.match(trimmed).hasMatch()) {
        bool ok = false;
        const double result = trimmed.toDouble(&ok);
        return ok ? result : NAN;
    }
    return NAN;
}

bool isJsSpace(QChar c)
{
    switch (c.unicode()) {
    case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x20: case 0xa0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000: case 0xfeff:
        return true;
    default:
        return c.unicode() >= 0x2000 && c.unicode() <= 0x200a;
    }
}

QString jsTrimStart(const QString& text)
{
    qsizetype start = 0;
    while (start < text.size() && isJsSpace(text.at(start)))
        ++start;
    return text.mid(start);
}

QString jsTrimEnd(const QString& text)
{
    qsizetype end = text.size();
    while (end > 0 && isJsSpace(text.at(end - 1)))
        --end;
    return text.left(end);
}

QString jsTrim(const QString& text) { return jsTrimEnd(jsTrimStart(text)); }

} // namespace ft::jinja
