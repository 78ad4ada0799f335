#pragma once
// A sequential reference implementation (the test oracle) of NEXMark queries Q0-Q8, exactly as
// docs/nexmark.md §4-§5 define them. Plain standard containers, no StreamWeave runtime: every
// query reads the whole input at once and computes its final result, so nothing here depends
// on the order of the events, on watermarks or on when windows close.
//
// Rows are formatted as §5 says (comma-separated, integers in decimal, no newline) and returned
// in no particular order; sort them bytewise (std::sort on std::string) to compare them with
// the expected files.
//
// Arithmetic: sums of prices (Q4, Q6) and Q1's `price * 908` are computed in __int128, so they
// are exact for every int64 input; the averages and Q1's integer part always fit back in
// int64. Window bounds (Q5, Q7, Q8) must be representable: an event time within one window
// size of the int64 limits throws std::out_of_range.
#include "event.hpp"

#include <span>
#include <string>
#include <vector>

namespace streamweave::nexmark {

inline constexpr int query_count = 9;

/// Rows of query q (0..8) over `events` given in any order, formatted as docs/nexmark.md §5
/// says (one string per row, no newline), in no particular order. Throws std::invalid_argument
/// naming q when q is outside 0..8.
std::vector<std::string> reference_rows(int q, std::span<const event> events);

/// The queries one by one (reference_rows dispatches to these).
std::vector<std::string> reference_q0(std::span<const event> events);  // every bid
std::vector<std::string> reference_q1(std::span<const event> events);  // price in EUR, exact
std::vector<std::string> reference_q2(std::span<const event> events);  // auction % 123 == 0
std::vector<std::string> reference_q3(std::span<const event> events);  // local item suggestion
std::vector<std::string> reference_q4(std::span<const event> events);  // avg final price per category
std::vector<std::string> reference_q5(std::span<const event> events);  // hot items (HOP 10 s / 2 s)
std::vector<std::string> reference_q6(std::span<const event> events);  // avg selling price per seller
std::vector<std::string> reference_q7(std::span<const event> events);  // highest bid (TUMBLE 10 s)
std::vector<std::string> reference_q8(std::span<const event> events);  // new users (TUMBLE 10 s)

}  // namespace streamweave::nexmark
