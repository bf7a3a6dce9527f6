#pragma once
// Checks that an SVG document is well-formed XML with an <svg> root, and counts its elements.

#include <map>

#include <QString>
#include <QXmlStreamReader>

namespace ft::test {

struct SvgCheck {
    bool wellFormed = false;
    QString error;
    QString root;
    std::map<QString, int> elements; // name -> count
    QStringList texts;               // the <text> contents
};

inline SvgCheck checkSvg(const QByteArray& bytes)
{
    SvgCheck check;
    QXmlStreamReader reader(bytes);
    QString current;
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.isStartElement()) {
            if (check.root.isEmpty())
                check.root = reader.name().toString();
            current = reader.name().toString();
            ++check.elements[current];
        } else if (reader.isCharacters() && current == QLatin1String("text") && !reader.isWhitespace()) {
            check.texts << reader.text().toString();
        }
    }
    check.wellFormed = !reader.hasError();
    check.error = reader.errorString();
    return check;
}

} // namespace ft::test
