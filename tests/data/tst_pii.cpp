// Finding and masking personal data: true positives, true negatives (ordinary numbers, years,
// prices, dates, versions, code), and the planted fake PII of the sample dataset.
#include <QTest>

#include "data/dataset_format.h"
#include "data/jsonl_records.h"
#include "data/pii.h"
#include "data/pii_detectors.h"
#include "data/sample_dataset.h"
#include "support/test_support.h"

using namespace ft;

Q_DECLARE_METATYPE(ft::PiiType)

namespace {

QString describe(const std::vector<PiiMatch>& matches)
{
    QStringList parts;
    for (const PiiMatch& m : matches)
        parts << QStringLiteral("%1 \"%2\"").arg(piiTypeName(m.type), m.text);
    return parts.join(QStringLiteral(", "));
}

} // namespace

class TestPii : public QObject {
    Q_OBJECT
private slots:
    void namesAndPlaceholders()
    {
        QCOMPARE(allPiiTypes().size(), size_t(8));
        QCOMPARE(piiTypeName(PiiType::CreditCard), QStringLiteral("credit-card"));
        QCOMPARE(piiPlaceholder(PiiType::CreditCard), QStringLiteral("[CREDIT_CARD]"));
        QCOMPARE(piiTypeName(PiiType::UrlCredentials), QStringLiteral("url-credentials"));
        QCOMPARE(piiPlaceholder(PiiType::UsSsn), QStringLiteral("[SSN]"));
        QCOMPARE(piiPlaceholder(PiiType::IpAddress), QStringLiteral("[IP_ADDRESS]"));
    }
    void truePositives_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<PiiType>("type");
        QTest::addColumn<QString>("found");
        auto row = [](const char* name, const char* text, PiiType type, const char* found) {
            QTest::newRow(name) << QString::fromUtf8(text) << type << QString::fromUtf8(found);
        };
        row("email", "Write to jane.doe+news@mail.example.co.uk today.", PiiType::Email,
            "jane.doe+news@mail.example.co.uk");
        row("email at sentence end", "Contact: help@example.net.", PiiType::Email, "help@example.net");
        row("phone intl spaces", "call +1 555 0100 after 6 pm", PiiType::Phone, "+1 555 0100");
        row("phone intl uk", "Office: +44 20 7946 0958", PiiType::Phone, "+44 20 7946 0958");
        row("phone intl parens", "Tel. +49 (30) 1234567", PiiType::Phone, "+49 (30) 1234567");
        row("phone intl dashes", "+1-202-555-0173 is the desk", PiiType::Phone, "+1-202-555-0173");
        row("phone us parens", "Reach me at (202) 555-0173.", PiiType::Phone, "(202) 555-0173");
        row("phone us dashes", "Fax 202-555-0173", PiiType::Phone, "202-555-0173");
        row("phone us dots", "or 202.555.0173", PiiType::Phone, "202.555.0173");
        row("phone uk national", "Ring 020 7946 0958 now", PiiType::Phone, "020 7946 0958");
        row("phone de national", "Telefon 030 12345678", PiiType::Phone, "030 12345678");
        row("phone de slash", "Tel 089/1234567", PiiType::Phone, "089/1234567");
        row("phone local after cue", "Please call 555-0123 tomorrow", PiiType::Phone, "555-0123");
        row("visa spaced", "card 4111 1111 1111 1111 exp 12/29", PiiType::CreditCard, "4111 1111 1111 1111");
        row("visa plain", "num=4012888888881881;", PiiType::CreditCard, "4012888888881881");
        row("mastercard dashes", "5555-5555-5555-4444", PiiType::CreditCard, "5555-5555-5555-4444");
        row("amex", "Amex 3782 822463 10005 ok", PiiType::CreditCard, "3782 822463 10005");
        row("ipv4", "from 203.0.113.45.", PiiType::IpAddress, "203.0.113.45");
        row("ipv4 in log", "ip=198.51.100.23\n", PiiType::IpAddress, "198.51.100.23");
        row("ipv6 full", "addr 2001:0db8:85a3:0000:0000:8a2e:0370:7334 end", PiiType::IpAddress,
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334");
        row("ipv6 compressed", "via 2001:db8::8a2e:370:7334,", PiiType::IpAddress, "2001:db8::8a2e:370:7334");
        row("ipv6 link local", "gateway fe80::1 is up", PiiType::IpAddress, "fe80::1");
        row("ipv6 trailing ::", "prefix 2001:db8:: routed", PiiType::IpAddress, "2001:db8::");
        row("ipv6 mapped v4", "::ffff:192.0.2.128 seen", PiiType::IpAddress, "::ffff:192.0.2.128");
        row("iban gb spaced", "IBAN GB82 WEST 1234 5698 7654 32 please", PiiType::Iban, "GB82 WEST 1234 5698 7654 32");
        row("iban de compact", "DE89370400440532013000", PiiType::Iban, "DE89370400440532013000");
        row("ssn", "SSN 078-05-1120 on file", PiiType::UsSsn, "078-05-1120");
        row("ssn spaced after cue", "social security number: 219 09 9999", PiiType::UsSsn, "219 09 9999");
        row("aws", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", PiiType::ApiKey, "AKIAIOSFODNN7EXAMPLE");
        row("github", "token ghp_1234567890abcdefghijABCDEFGHIJ123456 leaked", PiiType::ApiKey,
            "ghp_1234567890abcdefghijABCDEFGHIJ123456");
        row("slack", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", PiiType::ApiKey,
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx");
        row("openai", "OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", PiiType::ApiKey,
            "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z");
        row("google", "key AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q ok", PiiType::ApiKey,
            "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q");
        row("generic api_key", "api_key = \"9f8e7d6c5b4a39281706f5e4d3c2b1a0\"", PiiType::ApiKey,
            "9f8e7d6c5b4a39281706f5e4d3c2b1a0");
        row("generic secret", "SECRET: Zx81Lq02Pw93Mn54Ko", PiiType::ApiKey, "Zx81Lq02Pw93Mn54Ko");
        row("url credentials", "postgres://admin:s3cr3t@db.example.com:5432/app", PiiType::UrlCredentials,
            "admin:s3cr3t");
    }
    void truePositives()
    {
        QFETCH(QString, text);
        QFETCH(PiiType, type);
        QFETCH(QString, found);
        const std::vector<PiiMatch> matches = findPii(text);
        QVERIFY2(matches.size() == 1, qPrintable(describe(matches)));
        QCOMPARE(matches[0].type, type);
        QCOMPARE(matches[0].text, found);
        QCOMPARE(text.mid(matches[0].start, matches[0].length), found);
    }
    void trueNegatives_data()
    {
        QTest::addColumn<QString>("text");
        auto row = [](const char* name, const char* text) { QTest::newRow(name) << QString::fromUtf8(text); };
        row("years", "Between 1999 and 2024 the population grew from 1200000 to 1500000.");
        row("prices", "It costs $1,299.99, or €1.299,00, down from $2,499.");
        row("dates", "Due 2024-06-01 10:05:43, or 06/01/2024, or 01.06.2024, or 06-01-2024 12 people.");
        row("times and ratios", "At 12:30:45 the ratio was 3:2 and 16:9.");
        row("versions", "Upgrade from 1.2.3 to 10.4 (build 2.0.1-rc1).");
        row("math", "2 + 2 = 4, 3 * 14159 = 42477, 48/2 = 24, 100 - 45 = 55.");
        row("long numbers", "Order 12345678901 and invoice 4111111111111112 (not Luhn-valid).");
        row("isbn", "ISBN 978-3-16-148410-0");
        row("not an ssn", "Invalid SSNs: 000-12-3456, 666-12-3456, 900-12-3456, 123-00-4567, 123-45-0000.");
        row("octets out of range", "Not IPs: 256.1.1.1 and 999.999.999.999 and 1.2.3");
        row("code", "std::vector<int> v; Qt::AlignLeft; a::b; x = y::z;");
        row("mac address", "MAC 00:1A:2B:3C:4D:5E");
        row("not an iban", "GB82 WEST 1234 5698 7654 33 has a wrong checksum");
        row("placeholder key", "api_key = YOUR_API_KEY_HERE and token = tokenizer.encode(text)");
        row("low-entropy value", "password = abc123abc123abc123");
        row("sklearn", "pip install sk-learn-extra-tools-package");
        row("no tld", "user@localhost and @handle and a@b");
        row("phone-like in text", "Call me maybe, at 5 or 6 pm on the 10th.");
        row("short numbers", "Room 101, page 555, chapter 0100, flight 202 at gate 55.");
        row("north american area 1xx", "123-456-7890 is not a valid area code");
        row("percent and units", "Growth of 12.5% over 365 days, 9.81 m/s2, 0.001 mm.");
    }
    void trueNegatives()
    {
        QFETCH(QString, text);
        const std::vector<PiiMatch> matches = findPii(text);
        QVERIFY2(matches.empty(), qPrintable(describe(matches)));
    }
    void checks()
    {
        QVERIFY(luhnValid(QStringLiteral("4111111111111111")));
        QVERIFY(!luhnValid(QStringLiteral("4111111111111112")));
        QVERIFY(ibanValid(QStringLiteral("GB82 WEST 1234 5698 7654 32")));
        QVERIFY(ibanValid(QStringLiteral("NL91ABNA0417164300")));
        QVERIFY(!ibanValid(QStringLiteral("NL91ABNA0417164301")));
        QVERIFY(!ibanValid(QStringLiteral("GB82WEST123456987654"))); // wrong length for GB
        QVERIFY(ipv4Valid(QStringLiteral("255.255.255.255")));
        QVERIFY(!ipv4Valid(QStringLiteral("255.255.255.256")));
        QVERIFY(ipv6Valid(QStringLiteral("::1")));
        QVERIFY(ipv6Valid(QStringLiteral("1:2:3:4:5:6:7:8")));
        QVERIFY(!ipv6Valid(QStringLiteral("1:2:3:4:5:6:7")));
        QVERIFY(!ipv6Valid(QStringLiteral("1::2::3")));
        QVERIFY(!ipv6Valid(QStringLiteral("12345::1")));
        QVERIFY(ipv6Valid(QStringLiteral("64:ff9b::192.0.2.33")));
        QVERIFY(!usSsnValid(666, 12, 3456));
        QVERIFY(!usSsnValid(901, 12, 3456));
        QVERIFY(usSsnValid(899, 12, 3456));
        QVERIFY(looksRandom(QStringLiteral("Zx81Lq02Pw93Mn54Ko")));
        QVERIFY(!looksRandom(QStringLiteral("YOUR_API_KEY_HERE")));
    }
    void overlapsAndMasking()
    {
        // "s3cr3t@db.example.com" looks like an e-mail address; the URL credentials take precedence.
        const QString url = QStringLiteral("postgres://admin:s3cr3t@db.example.com/app");
        const std::vector<PiiMatch> m = findPii(url);
        QCOMPARE(m.size(), size_t(1));
        QCOMPARE(maskPiiText(url, allPiiTypes()), QStringLiteral("postgres://[URL_CREDENTIALS]@db.example.com/app"));
        std::map<PiiType, int> counts;
        const QString text = QStringLiteral(
            "Customer Jane Doe (jane.doe@example.com, +1 555 0100) paid with 4111 1111 1111 1111 from 192.0.2.1.");
        QCOMPARE(maskPiiText(text, allPiiTypes(), &counts),
                 QStringLiteral("Customer Jane Doe ([EMAIL], [PHONE]) paid with [CREDIT_CARD] from [IP_ADDRESS]."));
        QCOMPARE(counts.size(), size_t(4));
        QCOMPARE(counts[PiiType::Email], 1);
        // Only the chosen types are masked.
        QCOMPARE(
            maskPiiText(text, {PiiType::Email}),
            QStringLiteral("Customer Jane Doe ([EMAIL], +1 555 0100) paid with 4111 1111 1111 1111 from 192.0.2.1."));
    }
    void maskRecord()
    {
        ExampleRecord record;
        record.instruction = QStringLiteral("Mail a@example.com");
        record.input = QStringLiteral("nothing here");
        record.turns = {{ChatTurn::Role::User, QStringLiteral("ip 192.0.2.7")},
                        {ChatTurn::Role::Assistant, QStringLiteral("ok b@example.org")}};
        const PiiMaskResult result = maskPii(record);
        QVERIFY(result.changed);
        QCOMPARE(result.masked.instruction, QStringLiteral("Mail [EMAIL]"));
        QCOMPARE(result.masked.input, QStringLiteral("nothing here"));
        QCOMPARE(result.masked.turns[0].content, QStringLiteral("ip [IP_ADDRESS]"));
        QCOMPARE(result.counts.at(PiiType::Email), 2);
        QCOMPARE(result.counts.at(PiiType::IpAddress), 1);
        ExampleRecord clean;
        clean.instruction = QStringLiteral("Add 2 and 3.");
        clean.response = QStringLiteral("5");
        QVERIFY(!maskPii(clean).changed);
        // A preference pair's rejected answer is masked too.
        ExampleRecord pair;
        pair.instruction = QStringLiteral("Who to ask?");
        pair.response = QStringLiteral("The help desk.");
        pair.rejected = QStringLiteral("Write to c@example.net");
        QCOMPARE(maskPii(pair).masked.rejected, QStringLiteral("Write to [EMAIL]"));
    }
    void sampleDatasetPlantedPii()
    {
        // The sample dataset's README lists its fake personal data at lines 90, 104, 118, 121, 135, 149
        // (tagged "pii"); nothing else in it is personal data.
        const std::vector<NumberedRecord> records = readJsonlRecords(sampleDatasetPath());
        QCOMPARE(records.size(), size_t(216));
        std::vector<int64_t> flagged;
        std::map<PiiType, int> total;
        for (const NumberedRecord& numbered : records) {
            const PiiMaskResult result = maskPii(numbered.record);
            if (result.changed)
                flagged.push_back(numbered.line);
            for (const auto& [type, count] : result.counts)
                total[type] += count;
        }
        QCOMPARE(flagged, std::vector<int64_t>({90, 104, 118, 121, 135, 149}));
        // Counted by hand from those lines (inputs and responses both).
        QCOMPARE(total[PiiType::Email], 10);     // 90: 3+3, 104: 1+1, 121: 1, 135: 1
        QCOMPARE(total[PiiType::IpAddress], 8);  // 118: 4+2, 135: 2
        QCOMPARE(total[PiiType::Phone], 3);      // 104: 1+1, 121: 1
        QCOMPARE(total[PiiType::CreditCard], 2); // 121, 149
        QCOMPARE(total.size(), size_t(4));
    }
    void sharedDatasets_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("format");
        QTest::addColumn<int>("expected");
        // gsm8k is full of numbers (prices, years, sums) and wiki of dates and figures: none of them is
        // personal data. The e-mail addresses and the phone number in alpaca and glaive are made-up
        // examples in the text ("alice@email.com", "(555) 123-4567", "boss@company.com"), rightly found.
        QTest::newRow("gsm8k") << QStringLiteral("gsm8k_alpaca.json") << int(DatasetFormat::Alpaca) << 0;
        QTest::newRow("alpaca") << QStringLiteral("alpaca_en_demo.json") << int(DatasetFormat::Alpaca) << 6;
        QTest::newRow("glaive") << QStringLiteral("glaive_toolcall_sharegpt.json") << int(DatasetFormat::ShareGpt)
                                << 25;
        QTest::newRow("wiki") << QStringLiteral("wiki_demo.txt") << int(DatasetFormat::PlainText) << 0;
    }
    void sharedDatasets()
    {
        FT_REQUIRE_SHARED();
        QFETCH(QString, file);
        QFETCH(int, format);
        QFETCH(int, expected);
        ImportOptions options;
        options.format = DatasetFormat(format);
        const std::unique_ptr<DatasetReader> reader =
            openDatasetReader(test::sharedPath(QStringLiteral("datasets/") + file), options);
        ImportedExample example;
        QStringList found;
        while (reader->next(&example)) {
            const ExampleRecord& r = example.record;
            QString text = r.system + QLatin1Char('\n') + r.instruction + QLatin1Char('\n') + r.input +
                           QLatin1Char('\n') + r.response;
            for (const ChatTurn& turn : r.turns)
                text += QLatin1Char('\n') + turn.content;
            for (const PiiMatch& m : findPii(text))
                found << piiTypeName(m.type) + QStringLiteral(" \"") + m.text + QLatin1Char('"');
        }
        QVERIFY2(found.size() == expected, qPrintable(found.join(QStringLiteral("; "))));
        for (const QString& f : found)
            QVERIFY2(f.startsWith(QLatin1String("email")) || f == QLatin1String("phone \"(555) 123-4567\""),
                     qPrintable(f));
    }
};

QTEST_APPLESS_MAIN(TestPii)
#include "tst_pii.moc"
