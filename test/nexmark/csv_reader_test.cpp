// The `nexmark-csv v1` reader (bench/nexmark/csv_reader.hpp): the samples read completely and
// write back byte for byte; every malformed kind of line throws parse_error with the line, the
// field and the reason; comments, empty strings and negative integers are accepted.
#include "nexmark/csv_format.hpp"
#include "nexmark/csv_reader.hpp"
#include "support/nexmark_samples.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace nx = streamweave::nexmark;

namespace {

const std::string person_line = "P,1000,Alice Smith,a@x.com,0000 1111 2222 3333,Portland,OR,101000,";
const std::string auction_line = "A,1000,lamp,old lamp,100,200,102000,115000,1000,10,pad";
const std::string bid_line = "B,1000,1001,250,Google,https://www.nexmark.com/a/b/c/item.htm?query=1,109999,";

nx::csv_contents read_text(const std::string& text) {
  std::istringstream in(text);
  return nx::read_all(in, "text.csv");
}

/// The parse_error that reading `text` throws; fails the test when it reads cleanly.
nx::parse_error error_of(const std::string& text) {
  try {
    read_text(text);
  } catch (const nx::parse_error& e) {
    return e;
  }
  ADD_FAILURE() << "read without error:\n" << text;
  return nx::parse_error("", 0, "", "");
}

void expect_error(const std::string& text, std::uint64_t line, const std::string& field, const std::string& reason_part) {
  const nx::parse_error e = error_of(text);
  EXPECT_EQ(e.line(), line) << e.what();
  EXPECT_EQ(e.field(), field) << e.what();
  EXPECT_NE(e.reason().find(reason_part), std::string::npos) << "reason: " << e.reason();
  const std::string prefix = "text.csv:" + std::to_string(line) + ": ";
  EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
}

}  // namespace

TEST(NexmarkCsvReader, ReadsEveryKindOfLineAndWritesItBackUnchanged) {
  const std::string text = "# nexmark-csv v1 test max_delay_ms=7\n" + person_line + "\n" + auction_line + "\nW,101000\n" +
                           bid_line + "\n# a comment elsewhere\n";
  const nx::csv_contents c = read_text(text);
  ASSERT_EQ(c.events.size(), 3u);
  ASSERT_EQ(c.watermarks.size(), 1u);
  EXPECT_EQ(c.watermarks[0].ms, 101000);
  EXPECT_EQ(c.max_delay_ms, 7);
  const auto& p = std::get<nx::person>(c.events[0]);
  EXPECT_EQ(p.name, "Alice Smith");
  EXPECT_EQ(p.extra, "");
  const auto& a = std::get<nx::auction>(c.events[1]);
  EXPECT_EQ(a.expires, 115000);
  EXPECT_EQ(a.extra, "pad");
  const auto& b = std::get<nx::bid>(c.events[2]);
  EXPECT_EQ(b.price, 250);
  const std::string lines[] = {person_line, auction_line, bid_line};
  for (std::size_t i = 0; i < 3; ++i) {
    std::string out;
    nx::append_line(out, c.events[i]);
    EXPECT_EQ(out, lines[i]);
  }
}

TEST(NexmarkCsvReader, AcceptsNegativeIntegersEmptyStringsAndNoHeader) {
  const nx::csv_contents c = read_text("B,-5,-1,-9223372036854775808,,,-20,\n");
  const auto& b = std::get<nx::bid>(c.events.at(0));
  EXPECT_EQ(b.auction, -5);
  EXPECT_EQ(b.price, INT64_MIN);
  EXPECT_EQ(b.date_time, -20);
  EXPECT_EQ(b.channel, "");
  EXPECT_FALSE(c.max_delay_ms.has_value());
}

TEST(NexmarkCsvReader, ReadsBothSamplesCompletelyAndByteForByte) {
  STREAMWEAVE_SKIP_WITHOUT_NEXMARK_SAMPLES();
  for (const char* sample : {"tiny", "small-ooo"}) {
    SCOPED_TRACE(sample);
    const std::string path = streamweave::testing::nexmark_sample_path(sample, "events.csv");
    const nx::csv_contents c = nx::read_file(path);
    std::ifstream in(path);
    std::string line;
    std::size_t events = 0, marks = 0;
    while (std::getline(in, line)) {
      if (line.starts_with("#")) continue;
      std::string out;
      if (line.starts_with("W,")) {
        nx::append_watermark_line(out, c.watermarks.at(marks++).ms);
      } else {
        nx::append_line(out, c.events.at(events++));
      }
      ASSERT_EQ(out, line);
    }
    EXPECT_EQ(events, c.events.size());
    EXPECT_EQ(marks, c.watermarks.size());
    EXPECT_GT(events, 0u);
  }
}

TEST(NexmarkCsvReader, WrongFieldCountNamesTheTagAndBothCounts) {
  expect_error(person_line + "\n" + "B,1,2,3\n", 2, "", "a 'B' line has 8 fields, this one has 4");
  expect_error(auction_line + ",more\n", 1, "", "a 'A' line has 11 fields, this one has 12");
  expect_error("W\n", 1, "", "a 'W' line has 2 fields, this one has 1");
}

TEST(NexmarkCsvReader, NonIntegerNamesTheField) {
  expect_error("B,1000,1001,12x,Google,u,109999,\n", 1, "price", "'12x' is not a signed 64-bit integer");
  expect_error("B,1000,1001,+12,Google,u,109999,\n", 1, "price", "is not a signed 64-bit integer");
  expect_error("B,1000,1001, 12,Google,u,109999,\n", 1, "price", "is not a signed 64-bit integer");
  expect_error("B,1000,,12,Google,u,109999,\n", 1, "bidder", "empty");
  expect_error("B,1000,1001,12,Google,u,9223372036854775808,\n", 1, "date_time", "out of the signed 64-bit range");
  expect_error("W,soon\n", 1, "ms", "'soon' is not a signed 64-bit integer");
}

TEST(NexmarkCsvReader, UnknownTagIsNamed) {
  expect_error(person_line + "\nX,1,2\n", 2, "tag", "unknown tag 'X'");
  expect_error("PB,1\n", 1, "tag", "unknown tag 'PB'");
}

TEST(NexmarkCsvReader, BrokenWatermarkPromiseNamesTheLineOfThePromise) {
  expect_error(person_line + "\nW,102000\nW,50\nB,1,2,3,c,u,101999,\n", 4, "date_time",
               "101999 is before the watermark 102000 promised on line 2");
  read_text(person_line + "\nW,102000\nB,1,2,3,c,u,102000,\n");  // at the watermark: kept
  // An earlier W is kept when a later one is lower: the promise of line 2 still holds.
  expect_error("W,110000\nW,100000\n" + bid_line + "\n", 3, "date_time", "promised on line 1");
}

TEST(NexmarkCsvReader, BrokenMaxDelayPromiseIsAnError) {
  const std::string header = "# nexmark-csv v1 max_delay_ms=1000\n";
  // 109999 is the newest; 108999 is exactly the bound (allowed), 108998 is one ms too old.
  read_text(header + bid_line + "\nB,1,2,3,c,u,108999,\n");
  expect_error(header + bid_line + "\nB,1,2,3,c,u,108998,\n", 3, "date_time", "breaks the header's max_delay_ms=1000 promise");
  // Without the header any order is accepted.
  read_text(bid_line + "\nB,1,2,3,c,u,5,\n");
  expect_error("# max_delay_ms=ten\n", 1, "max_delay_ms", "'ten'");
}

TEST(NexmarkCsvReader, TruncatedLastLineIsAnError) {
  expect_error(person_line + "\n" + bid_line, 2, "", "truncated");
  // Even a last line that would parse on its own is reported: its end is missing.
  expect_error(person_line, 1, "", "truncated");
}

TEST(NexmarkCsvReader, DuplicateIdsNameTheFirstLine) {
  expect_error(person_line + "\n" + auction_line + "\n" + person_line + "\n", 3, "id", "duplicate person id 1000 (first on line 1)");
  expect_error(auction_line + "\n" + auction_line + "\n", 2, "id", "duplicate auction id 1000 (first on line 1)");
}

TEST(NexmarkCsvReader, BytesOutsidePrintableAsciiAndCarriageReturnsAreErrors) {
  expect_error(person_line + "\r\n", 1, "extra", "'\\x0d' at offset 0 is outside 0x20-0x7E");
  expect_error("B,1000,1001,250,Goo\tgle,u,1,\n", 1, "channel", "'\\x09' at offset 3");
  expect_error("B,1000,1001,250,Goo\xc3\xa9,u,1,\n", 1, "channel", "'\\xc3' at offset 3");
}

TEST(NexmarkCsvReader, EmptyLineAndAuctionEndingBeforeItStartsAreErrors) {
  expect_error(person_line + "\n\n" + bid_line + "\n", 2, "", "empty line");
  expect_error("A,1,n,d,1,2,500,500,1,10,\n", 1, "expires", "500 is not after date_time 500");
}

TEST(NexmarkCsvReader, UnreadableFileNamesThePath) {
  try {
    nx::read_file("/nonexistent/events.csv");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/events.csv"), std::string::npos) << e.what();
  }
}
