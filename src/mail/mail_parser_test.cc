#include "mail/mail_parser.h"

#include <glib.h>
#include <gtest/gtest.h>

namespace sb::mail {
namespace {

std::string crlf(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

TEST(MailParser, MultipartWithCharsetsEncodingsAndAnAttachment) {
  const std::string raw = crlf(R"(From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <Juergen@Example.COM>
To: help@acme.example
Subject: =?ISO-8859-1?Q?Drucker_st=F6rt?= again
Message-ID: <abc.123@mail.example.com>
Date: Wed, 25 Nov 2026 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Der Drucker im 2. Stock st=F6rt wieder.
Gr=FC=DFe

--inner
Content-Type: text/html; charset=utf-8

<p>ignored, there is a plain part</p>
--inner--

--outer
Content-Type: application/pdf; name="scan.pdf"
Content-Disposition: attachment; filename="scan.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IK
--outer--
)");
  const ParsedMail m = parse_mail(raw);
  EXPECT_EQ(m.message_id, "abc.123@mail.example.com");
  EXPECT_EQ(m.from_address, "juergen@example.com");
  EXPECT_EQ(m.from_name, "Jürgen Müller");
  EXPECT_EQ(m.subject, "Drucker stört again");
  EXPECT_EQ(m.text, "Der Drucker im 2. Stock stört wieder.\r\nGrüße");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].name, "scan.pdf");
  EXPECT_EQ(m.attachments[0].content_type, "application/pdf");
  EXPECT_EQ(m.attachments[0].size, 15);  // decoded bytes
  ASSERT_TRUE(m.date);
  EXPECT_EQ(*m.date, from_millis(1795597200000));  // 09:00 UTC
  EXPECT_FALSE(m.auto_submitted);
  EXPECT_FALSE(m.bounce);
  EXPECT_TRUE(m.problems.empty());
}

TEST(MailParser, HtmlOnlyBecomesText) {
  const ParsedMail m = parse_mail(crlf(R"(From: ann@example.com
Subject: VPN
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PGh0bWw+PGhlYWQ+PHN0eWxlPnB7Y29sb3I6cmVkfTwvc3R5bGU+PC9oZWFkPjxib2R5PjxwPlRo
ZSBWUE4gJmFtcDsgRE5TIGFyZSZuYnNwO2Rvd24uPC9wPjxzY3JpcHQ+YWxlcnQoMSk8L3Njcmlw
dD48ZGl2PkxpbmUgJmx0OzImZ3Q7PGJyPkxpbmUgMzwvZGl2PjwvYm9keT48L2h0bWw+
)"));
  EXPECT_EQ(m.text, "The VPN & DNS are down.\nLine <2>\nLine 3");
}

TEST(MailParser, AutomaticMailAndBouncesAreRecognised) {
  EXPECT_TRUE(parse_mail("From: a@b.c\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nAway").auto_submitted);
  EXPECT_FALSE(parse_mail("From: a@b.c\r\nAuto-Submitted: no\r\nSubject: hi\r\n\r\nx").auto_submitted);
  EXPECT_TRUE(parse_mail("From: a@b.c\r\nPrecedence: bulk\r\nSubject: news\r\n\r\nx").auto_submitted);
  EXPECT_TRUE(parse_mail("From: a@b.c\r\nX-Autoreply: yes\r\nSubject: x\r\n\r\nx").auto_submitted);
  const ParsedMail daemon = parse_mail("From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered\r\n\r\nx");
  EXPECT_TRUE(daemon.bounce);
  EXPECT_TRUE(daemon.auto_submitted);
  const ParsedMail report = parse_mail(crlf(R"(From: mail@mx.example
Subject: Delivery Status Notification (Failure)
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

Your message could not be delivered.
--b
Content-Type: message/delivery-status

Status: 5.1.1
--b--
)"));
  EXPECT_TRUE(report.bounce);
  EXPECT_EQ(report.text, "Your message could not be delivered.");
}

TEST(MailParser, ThreadingHeaders) {
  const ParsedMail m = parse_mail(
      "From: a@b.c\r\nSubject: Re: [#12] help\r\nIn-Reply-To: <sb.t12.ab@acme.example>\r\n"
      "References: <first@b.c>\r\n <sb.t12.ab@acme.example>\r\n\r\nthanks");
  EXPECT_EQ(m.in_reply_to, "sb.t12.ab@acme.example");
  EXPECT_EQ(m.references, (std::vector<std::string>{"first@b.c", "sb.t12.ab@acme.example"}));
}

TEST(MailParser, BrokenAndHostileInputStillGivesWhatItCan) {
  // Not a message at all.
  ParsedMail junk = parse_mail(std::string("\x00\x01garbage\xff", 11));
  EXPECT_FALSE(junk.problems.empty());
  // A header injection attempt in the subject stays on one line.
  ParsedMail folded = parse_mail("From: a@b.c\r\nSubject: =?UTF-8?Q?a=0D=0ABcc:_eve@x.y?=\r\n\r\nx");
  EXPECT_EQ(folded.subject.find('\n'), std::string::npos);
  EXPECT_EQ(folded.subject.find('\r'), std::string::npos);
  // Nesting past the limit stops descending; parts past the limit are skipped.
  std::string deep = "From: a@b.c\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n";
  for (int i = 0; i < 30; ++i) {
    deep += "--b" + std::to_string(i) + "\r\nContent-Type: multipart/mixed; boundary=\"b" + std::to_string(i + 1) + "\"\r\n\r\n";
  }
  ParsedMail d = parse_mail(deep);
  EXPECT_FALSE(d.problems.empty());
  std::string many = "From: a@b.c\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
  for (int i = 0; i < 300; ++i) many += "--b\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n";
  many += "--b--\r\n";
  MailLimits limits;
  ParsedMail p = parse_mail(many, limits);
  EXPECT_EQ(p.attachments.size(), static_cast<std::size_t>(limits.max_parts));
  // Over the size limit: cut, flagged, still parsed.
  limits.max_bytes = 60;
  ParsedMail cut = parse_mail("From: a@b.c\r\nSubject: big\r\n\r\n" + std::string(1000, 'x'), limits);
  EXPECT_EQ(cut.subject, "big");
  EXPECT_FALSE(cut.problems.empty());
}

TEST(Mbox, SplitsMessagesAndUnquotesFromLines) {
  const auto messages = split_mbox(
      "From a@b.c Mon Jan  1 00:00:00 2026\nSubject: one\n\n>From here\nbody\n"
      "From c@d.e Mon Jan  1 00:00:01 2026\nSubject: two\n\nx\n");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], "Subject: one\n\nFrom here\nbody\n");
  EXPECT_EQ(parse_mail(messages[1]).subject, "two");
}

}  // namespace
TEST(MailParser, TextIsAlwaysValidUtf8WithoutNul) {
  // No charset declared, bytes that are not UTF-8, and a NUL.
  const std::string raw = std::string("From: Kim <kim@example.com>\r\nSubject: caf\xe9\r\nMessage-ID: <u1@x>\r\n\r\n") +
                          "back\\slash \xff\xfe" + std::string(1, '\0') + " end\r\n";
  const ParsedMail m = parse_mail(raw);
  EXPECT_TRUE(g_utf8_validate(m.subject.data(), static_cast<gssize>(m.subject.size()), nullptr)) << m.subject;
  EXPECT_TRUE(g_utf8_validate(m.text.data(), static_cast<gssize>(m.text.size()), nullptr)) << m.text;
  EXPECT_EQ(m.text.find('\0'), std::string::npos);
  EXPECT_NE(m.text.find("back\\slash"), std::string::npos);  // (GMime's text ends at the NUL; the raw mail is kept)
}

}  // namespace sb::mail
