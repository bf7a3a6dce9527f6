#pragma once
// For the tokenizer tests: texts meant to break a tokenizer, compared with Hugging Face's own results.

#include <QString>
#include <QStringList>

namespace ft::test {

// Texts meant to break a tokenizer: whitespace runs, scripts, emoji sequences, combining marks, digits,
// contractions, special tokens with spaces around them, replacement and control characters, long texts.
inline QStringList trickyTexts()
{
    QStringList texts = {
        QString(),
        QStringLiteral(" "),
        QStringLiteral("  "),
        QStringLiteral("\n"),
        QStringLiteral("\t"),
        QStringLiteral("a"),
        QStringLiteral("Hello world"),
        QStringLiteral(" leading"),
        QStringLiteral("trailing "),
        QStringLiteral("  two  spaces  between  "),
        QString(64, QLatin1Char(' ')) + QStringLiteral("x"),
        QStringLiteral("x") + QString(300, QLatin1Char(' ')) + QStringLiteral("y"),
        QString(50, QLatin1Char('\n')),
        QStringLiteral("a\n\n\n\nb \n \n"),
        QStringLiteral("\r\n\r\nwindows\r\n"),
        QStringLiteral(" \n \n\t \u3000 \u00a0 x \u2009 \u200b"),
        QStringLiteral("Hello мир 世界 مرحبا שלום नमस्ते こんにちは 안녕하세요 Ελληνικά ภาษาไทย"),
        QStringLiteral(
            "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466 family, "
            "\U0001F3F3\uFE0F\u200D\U0001F308 flag, \U0001F44D\U0001F3FD, \U0001F9D1\U0001F3FF\u200D\U0001F680"),
        QStringLiteral(
            "e\u0301 a\u0308 o\u0302\u0323 \u1E9B\u0323 A\u030A vs \u00C5 \u1100\u1161\u11A8 Z\u0334\u0321a"),
        QStringLiteral("1234567890123 \u0663\u0664\u0665 \u0967\u0968 x\u00B2\u00B3 \u00BD \u216B \u2460\u2461 "
                       "3.14159e-10 1,000,000 -42"),
        QStringLiteral("DON'T I'M YOU'RE WE'VE SHE'LL HE'D IT'S 'S 'T 'Re 'll 'D \u2019s '\u017F"),
        QStringLiteral(" <|im_start|> user <|im_end|> "),
        QStringLiteral("<|im_end|><|im_end|>x<|im_start|assistant"),
        QStringLiteral("<|endoftext|>text<|endoftext|>"),
        QStringLiteral("<think>\nreason\n</think>\n\nanswer"),
        QStringLiteral("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nHi<|eot_id|>"),
        QStringLiteral(" <|eot_id|> \n<|reserved_special_token_5|><|eot_id"),
        QStringLiteral(" <s> </s> <unk> "),
        QStringLiteral("<s><s>[INST] x [/INST]</s>"),
        QStringLiteral("</s>x<s>"),
        QStringLiteral("\uFFFD\uFFFD abc \uFFFD"),
        QStringLiteral("\\xff\\xfe \\u0000"),
        QString(QChar(0)) + QStringLiteral("null") + QChar(1) + QChar(0x1f) + QChar(0x7f),
        QStringLiteral("\uFEFFbom \uE000\uF8FF \uFFFF"),
        QStringLiteral("a\u180Eb x\u0085y\u2028z\u2029w"),
        QStringLiteral("\u0130stanbul \u03A3\u0391\u03A3 stra\u00DFe \u01C5 \uFB01"),
        QStringLiteral("def f(x):\n\treturn x**2  # comment\n\n\n    pass\n"),
        QStringLiteral("!!!??? ... ---- ==== **** ((( ))) {{ }} <<>> ||| @@@ ###"),
        QStringLiteral("https://example.com/a/b?c=d&e=f#g user@example.org"),
        // Longer runs of one script, full-width and other digits, decomposed Hangul (NFC composes it),
        // right-to-left marks, emoji sequences (flags, keycaps, tag sequences), control whitespace.
        QStringLiteral(
            "\u673a\u5668\u5b66\u4e60\u662f\u4eba\u5de5\u667a\u80fd\u7684\u4e00\u4e2a\u5206\u652f\u3002"
            "\u5b83\u4f7f\u7528\u7edf\u8ba1\u65b9\u6cd5\uff0c\u8ba9\u8ba1\u7b97\u673a\u4ece\u6570\u636e\u4e2d"
            "\u201c\u5b66\u4e60\u201d\uff01\uff08\uff12\uff10\uff12\uff14\u5e74\uff09\u7b2c\uff11\uff12\uff13\u53f7"),
        QStringLiteral(
            "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3001\u30ab\u30bf\u30ab\u30ca\u3068\u3072\u3089"
            "\u304c\u306a\u3002\uff48\uff41\uff4c\uff46\uff0d\uff57\uff49\uff44\uff54\uff48 \uff83\uff77\uff7d\uff84"),
        QStringLiteral("\u1112\u1161\u11AB\u1100\u116E\u11A8\u110B\u1165 \uD55C\uAD6D\uC5B4 "
                       "\uD14D\uC2A4\uD2B8\uC785\uB2C8\uB2E4."),
        QStringLiteral(
            "\u0627\u0644\u0639\u0631\u0628\u064A\u0629 \u0661\u0662\u0663 \u200F\u05E2\u05D1\u05E8\u05D9\u05EA\u200E "
            "\u0E20\u0E32\u0E29\u0E32\u0E44\u0E17\u0E22 \u0939\u093F\u0928\u094D\u0926\u0940 \u0BF5\u0E51\u0E52"),
        QStringLiteral("x=1_000_000; y=0x1F; z=3.0e+08; 12:30:45 2024-01-02 $1,234.56 \u20AC9,99 50% 1/2 \u00BE"),
        QStringLiteral(
            "\U0001F600\U0001F601\U0001F602 \U0001F1EF\U0001F1F5\U0001F1FA\U0001F1F8 \u2764\uFE0F\u200D\U0001F525 "
            "\U0001FAE8\U0001FAE8 #\uFE0F\u20E3 "
            "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"),
        QStringLiteral("\t\t\tindented\n\t \t mixed \r\r\n\v\f form\u0085feed   \n\n\n   "),
    };
    // About 20 KB of prose with numbers, punctuation, newlines and some non-ASCII words.
    QString prose;
    const QStringList words = {QStringLiteral("the"),    QStringLiteral("quick"),     QStringLiteral("brown"),
                               QStringLiteral("fox's"),  QStringLiteral("café"),      QStringLiteral("naïve"),
                               QStringLiteral("日本語"), QStringLiteral("jumps"),     QStringLiteral("OVER"),
                               QStringLiteral("dog"),    QStringLiteral("\U0001F98A")};
    for (int i = 0; prose.toUtf8().size() < 20 * 1024; ++i) {
        prose += words[i % words.size()];
        prose += (i % 13 == 0) ? QStringLiteral(", %1").arg(i * 37) : QString();
        prose += (i % 17 == 0) ? QStringLiteral(".\n") : (i % 29 == 0 ? QStringLiteral("  \n\n") : QStringLiteral(" "));
    }
    texts << prose << QString(20 * 1024, QLatin1Char('x')) << QStringLiteral("ab").repeated(6000)
          << QString(5000, QLatin1Char(' ')) + QStringLiteral("\n") + QString(5000, QLatin1Char('\t'));
    return texts;
}

} // namespace ft::test
