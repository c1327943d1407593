// Host unit tests of firmware/trustcam_camera/trustcam_logic.*.
//
//   firmware/test/run.sh   (or: deno test -A tests/firmware_test.ts)
//
// Prints one line per failure and ends with "N passed, M failed"; exits 1 on any failure.
// `logic_test --status-example` prints the status message for the values of the example in
// docs/protocol.md, so tests/firmware_test.ts can compare it with the document;
// `--status-samples` prints edge cases (escaped and cut fw strings) for the hub's parser.

#include <stdio.h>
#include <string.h>

#include <string>
#include <vector>

#include "trustcam_logic.h"

static int g_passed = 0;
static int g_failed = 0;
static const char* g_test = "";

#define CHECK(cond)                                                                       \
  do {                                                                                    \
    if (cond) {                                                                           \
      ++g_passed;                                                                         \
    } else {                                                                              \
      ++g_failed;                                                                         \
      printf("FAIL %s: %s (%s:%d)\n", g_test, #cond, __FILE__, __LINE__);                \
    }                                                                                     \
  } while (0)

#define CHECK_EQ(actual, expected)                                                        \
  do {                                                                                    \
    const unsigned long long a_ = static_cast<unsigned long long>(actual);               \
    const unsigned long long e_ = static_cast<unsigned long long>(expected);             \
    if (a_ == e_) {                                                                       \
      ++g_passed;                                                                         \
    } else {                                                                              \
      ++g_failed;                                                                         \
      printf("FAIL %s: %s == %llu, expected %llu (%s:%d)\n", g_test, #actual, a_, e_,    \
             __FILE__, __LINE__);                                                         \
    }                                                                                     \
  } while (0)

#define CHECK_STR(actual, expected)                                                       \
  do {                                                                                    \
    const std::string a_(actual);                                                         \
    const std::string e_(expected);                                                       \
    if (a_ == e_) {                                                                       \
      ++g_passed;                                                                         \
    } else {                                                                              \
      ++g_failed;                                                                         \
      printf("FAIL %s: %s\n  got      %s\n  expected %s\n", g_test, #actual, a_.c_str(),  \
             e_.c_str());                                                                 \
    }                                                                                     \
  } while (0)

typedef std::vector<uint8_t> Bytes;

// SOI, a little payload, then `tail` appended verbatim.
static Bytes jpeg_with_tail(const Bytes& tail) {
  Bytes b = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x11, 0x22};
  b.insert(b.end(), tail.begin(), tail.end());
  return b;
}

// ---------------------------------------------------------------------------------------------

static void test_find_last_eoi() {
  g_test = "find_last_eoi() finds an EOI at the very end";
  {
    const Bytes b = jpeg_with_tail({0x33, 0xFF, 0xD9});
    CHECK_EQ(tc::find_last_eoi(b.data(), b.size(), 4096), b.size());
  }

  g_test = "find_last_eoi() trims the zero padding after the EOI";
  {
    Bytes b = jpeg_with_tail({0x33, 0xFF, 0xD9});
    const size_t jpeg_len = b.size();
    b.insert(b.end(), 300, 0x00);
    CHECK_EQ(tc::find_last_eoi(b.data(), b.size(), 4096), jpeg_len);
  }

  g_test = "find_last_eoi() returns 0 without an EOI";
  {
    const Bytes b = jpeg_with_tail({0x33, 0x44, 0xFF, 0x00, 0xD9});
    CHECK_EQ(tc::find_last_eoi(b.data(), b.size(), 4096), 0);
  }

  g_test = "find_last_eoi() ignores an EOI beyond the scan bound";
  {
    Bytes b = jpeg_with_tail({0xFF, 0xD9});
    const size_t jpeg_len = b.size();
    b.insert(b.end(), 100, 0x00);
    // The EOI starts 102 bytes from the end: visible with a 102-byte window, not with 101.
    CHECK_EQ(tc::find_last_eoi(b.data(), b.size(), 102), jpeg_len);
    CHECK_EQ(tc::find_last_eoi(b.data(), b.size(), 101), 0);
  }

  g_test = "find_last_eoi() handles length 0 and 1 and a null buffer";
  {
    const uint8_t one[] = {0xFF};
    const uint8_t two[] = {0xFF, 0xD9};
    CHECK_EQ(tc::find_last_eoi(one, 0, 4096), 0);
    CHECK_EQ(tc::find_last_eoi(one, 1, 4096), 0);
    CHECK_EQ(tc::find_last_eoi(nullptr, 10, 4096), 0);
    CHECK_EQ(tc::find_last_eoi(two, 2, 4096), 2);
    CHECK_EQ(tc::find_last_eoi(two, 2, 1), 0);
  }

  g_test = "find_last_eoi() picks the last EOI when FF D9 also occurs earlier";
  {
    Bytes b = jpeg_with_tail({0xFF, 0xD9, 0x55, 0x66, 0xFF, 0xD9, 0x77, 0xFF, 0xD9});
    const size_t jpeg_len = b.size();
    b.insert(b.end(), 16, 0x00);
    CHECK_EQ(tc::find_last_eoi(b.data(), b.size(), 4096), jpeg_len);
    // The window always ends at the buffer's end, so one too short for the last marker is too
    // short for the earlier ones as well.
    CHECK_EQ(tc::find_last_eoi(b.data(), b.size(), 17), 0);
    CHECK_EQ(tc::find_last_eoi(b.data(), b.size(), 18), jpeg_len);
  }

  g_test = "find_last_eoi() does not read past the buffer";
  {
    // A lone FF as the last byte must not be paired with whatever follows in memory.
    const uint8_t buf[] = {0xFF, 0xD8, 0x00, 0xFF, 0xD9};
    CHECK_EQ(tc::find_last_eoi(buf, 4, 4096), 0);
  }
}

static void test_check_frame() {
  size_t len = 99;

  g_test = "check_frame() accepts a padded JPEG and returns the trimmed length";
  {
    Bytes b = jpeg_with_tail({0xFF, 0xD9});
    const size_t jpeg_len = b.size();
    b.insert(b.end(), 64, 0x00);
    CHECK_EQ(tc::check_frame(b.data(), b.size(), 4096, 2097152, &len), tc::FRAME_OK);
    CHECK_EQ(len, jpeg_len);
  }

  g_test = "check_frame() rejects empty, short and null buffers";
  {
    const uint8_t three[] = {0xFF, 0xD8, 0xD9};
    CHECK_EQ(tc::check_frame(nullptr, 0, 4096, 2097152, &len), tc::FRAME_EMPTY);
    CHECK_EQ(len, 0);
    CHECK_EQ(tc::check_frame(three, 3, 4096, 2097152, &len), tc::FRAME_EMPTY);
  }

  g_test = "check_frame() rejects a buffer without SOI";
  {
    const uint8_t buf[] = {0x00, 0xD8, 0x12, 0xFF, 0xD9};
    CHECK_EQ(tc::check_frame(buf, sizeof buf, 4096, 2097152, &len), tc::FRAME_NO_SOI);
    CHECK_EQ(len, 0);
  }

  g_test = "check_frame() rejects a truncated JPEG";
  {
    const Bytes b = jpeg_with_tail({0x12, 0x34});
    CHECK_EQ(tc::check_frame(b.data(), b.size(), 4096, 2097152, &len), tc::FRAME_NO_EOI);
    CHECK_EQ(len, 0);
  }

  g_test = "check_frame() does not take the SOI's FF for an EOI";
  {
    const uint8_t buf[] = {0xFF, 0xD8, 0xD9, 0x00};
    CHECK_EQ(tc::check_frame(buf, sizeof buf, 4096, 2097152, &len), tc::FRAME_NO_EOI);
  }

  g_test = "check_frame() skips a frame over the size limit, counted after trimming";
  {
    Bytes b = jpeg_with_tail({0xFF, 0xD9});  // 14 bytes
    b.insert(b.end(), 50, 0x00);
    CHECK_EQ(tc::check_frame(b.data(), b.size(), 4096, 14, &len), tc::FRAME_OK);
    CHECK_EQ(len, 14);
    CHECK_EQ(tc::check_frame(b.data(), b.size(), 4096, 13, &len), tc::FRAME_TOO_LARGE);
    CHECK_EQ(len, 0);
  }

  g_test = "frame_verdict_name() names every verdict";
  CHECK_STR(tc::frame_verdict_name(tc::FRAME_OK), "ok");
  CHECK_STR(tc::frame_verdict_name(tc::FRAME_NO_EOI), "no EOI");
  CHECK_STR(tc::frame_verdict_name(tc::FRAME_TOO_LARGE), "too large");
}

static int g_released = 0;
static int* g_released_ptr = nullptr;

static void test_release_once() {
  g_test = "release_once() never hands back a null buffer";
  {
    int* p = nullptr;
    g_released = 0;
    CHECK(!tc::release_once(p, [](int* q) {
      ++g_released;
      g_released_ptr = q;
    }));
    CHECK_EQ(g_released, 0);
  }

  g_test = "release_once() hands a buffer back exactly once and clears it";
  {
    int value = 7;
    int* p = &value;
    g_released = 0;
    g_released_ptr = nullptr;
    const auto release = [](int* q) {
      ++g_released;
      g_released_ptr = q;
    };
    CHECK(tc::release_once(p, release));
    CHECK(p == nullptr);
    CHECK(g_released_ptr == &value);
    CHECK(!tc::release_once(p, release));
    CHECK_EQ(g_released, 1);
  }
}

// ---------------------------------------------------------------------------------------------

static void test_pacer() {
  tc::Pacer p;

  g_test = "pacer_init_fps() makes the first tick due at once";
  tc::pacer_init_fps(&p, 10, 5000);
  CHECK(tc::pacer_due(&p, 5000));
  CHECK(!tc::pacer_due(&p, 4999));
  CHECK_EQ(tc::pacer_wait_ms(&p, 4990), 10);

  g_test = "pacer_advance() spaces ticks by 1000/fps";
  tc::pacer_advance(&p, 5000);
  CHECK(!tc::pacer_due(&p, 5099));
  CHECK(tc::pacer_due(&p, 5100));
  CHECK_EQ(tc::pacer_wait_ms(&p, 5030), 70);
  CHECK_EQ(tc::pacer_wait_ms(&p, 5100), 0);
  CHECK_EQ(tc::pacer_wait_ms(&p, 5200), 0);

  g_test = "pacer_advance() keeps the exact average for 15 fps (66.67 ms)";
  {
    tc::pacer_init_fps(&p, 15, 0);
    for (int i = 0; i < 15; ++i) tc::pacer_advance(&p, p.next_due_ms);
    CHECK_EQ(p.next_due_ms, 1000);
    for (int i = 0; i < 15 * 59; ++i) tc::pacer_advance(&p, p.next_due_ms);
    CHECK_EQ(p.next_due_ms, 60000);
  }

  g_test = "pacer_advance() absorbs small lateness without losing the rate";
  {
    // A loop that polls every 7 ms: 10 fps over 60 s must give 600 ticks (plus the first).
    tc::pacer_init_fps(&p, 10, 0);
    int ticks = 0;
    uint32_t last = 0;
    uint32_t min_gap = 0xFFFFFFFFu;
    for (uint32_t t = 0; t < 60000; t += 7) {
      if (tc::pacer_due(&p, t)) {
        if (ticks > 0 && t - last < min_gap) min_gap = t - last;
        last = t;
        ++ticks;
        tc::pacer_advance(&p, t);
      }
    }
    CHECK(ticks >= 599 && ticks <= 601);
    CHECK(min_gap >= 50);
  }

  g_test = "pacer_advance() does not burst after a stall";
  {
    tc::pacer_init_fps(&p, 10, 1000);
    tc::pacer_advance(&p, 1000);  // next due 1100
    // The loop stalls for 2 s (a slow TLS write). One tick is due, then the old pace resumes
    // from now: no catch-up of the 19 missed ticks.
    CHECK(tc::pacer_due(&p, 3000));
    tc::pacer_advance(&p, 3000);
    CHECK(!tc::pacer_due(&p, 3001));
    CHECK(!tc::pacer_due(&p, 3099));
    CHECK(tc::pacer_due(&p, 3100));
  }

  g_test = "pacer_advance() re-anchors when more than half a step late";
  {
    tc::pacer_init_fps(&p, 10, 0);
    tc::pacer_advance(&p, 0);  // due 100
    tc::pacer_advance(&p, 150);  // 50 late: keeps the schedule, due 200
    CHECK_EQ(p.next_due_ms, 200);
    tc::pacer_advance(&p, 251);  // 51 late: re-anchors, due 351
    CHECK_EQ(p.next_due_ms, 351);
  }

  g_test = "pacer works across the millis() wrap at 2^32";
  {
    const uint32_t start = 0xFFFFFFF0u;  // 16 ms before the wrap
    tc::pacer_init_fps(&p, 10, start);
    CHECK(tc::pacer_due(&p, start));
    tc::pacer_advance(&p, start);
    CHECK_EQ(p.next_due_ms, 0x54u);  // start + 100, wrapped
    CHECK(!tc::pacer_due(&p, 0xFFFFFFFFu));
    CHECK(!tc::pacer_due(&p, 0x00000000u));
    CHECK(!tc::pacer_due(&p, 0x53u));
    CHECK(tc::pacer_due(&p, 0x54u));
    CHECK_EQ(tc::pacer_wait_ms(&p, 0xFFFFFFFFu), 0x55u);
    CHECK_EQ(tc::pacer_wait_ms(&p, 0x60u), 0);
  }

  g_test = "pacer_init_period() ticks every period";
  {
    tc::pacer_init_period(&p, 10000, 500);
    CHECK(tc::pacer_due(&p, 500));
    tc::pacer_advance(&p, 500);
    CHECK(!tc::pacer_due(&p, 10499));
    CHECK(tc::pacer_due(&p, 10500));
  }

  g_test = "pacer_restart() makes a tick due now";
  {
    tc::pacer_init_period(&p, 10000, 0);
    tc::pacer_advance(&p, 0);
    CHECK(!tc::pacer_due(&p, 20));
    tc::pacer_restart(&p, 20);
    CHECK(tc::pacer_due(&p, 20));
  }

  g_test = "pacer_init_fps(0) is unpaced";
  {
    tc::pacer_init_fps(&p, 0, 100);
    tc::pacer_advance(&p, 100);
    CHECK(tc::pacer_due(&p, 100));
    tc::pacer_advance(&p, 101);
    CHECK(tc::pacer_due(&p, 101));
  }
}

// ---------------------------------------------------------------------------------------------

static void test_backoff() {
  tc::Backoff b;

  g_test = "backoff_ceiling() doubles from base and stops at max";
  tc::backoff_init(&b, 1000, 60000, 30000);
  {
    const uint32_t expected[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; ++i) {
      CHECK_EQ(tc::backoff_ceiling(&b), expected[i]);
      tc::backoff_next_delay(&b, 0, 0);
    }
  }

  g_test = "backoff_ceiling() does not overflow after many attempts";
  {
    tc::backoff_init(&b, 3000000000u, 4000000000u, 0);
    for (int i = 0; i < 100; ++i) tc::backoff_next_delay(&b, 0, 0);
    CHECK_EQ(tc::backoff_ceiling(&b), 4000000000u);
  }

  g_test = "backoff_next_delay() draws from [ceiling/2, ceiling]";
  {
    tc::backoff_init(&b, 1000, 60000, 30000);
    CHECK_EQ(tc::backoff_next_delay(&b, 0, 0), 500);  // attempt 0: [500, 1000]
    tc::backoff_init(&b, 1000, 60000, 30000);
    CHECK_EQ(tc::backoff_next_delay(&b, 500, 0), 1000);
    tc::backoff_init(&b, 1000, 60000, 30000);
    CHECK_EQ(tc::backoff_next_delay(&b, 501, 0), 500);  // wraps inside the span
    tc::backoff_init(&b, 1000, 60000, 30000);
    CHECK_EQ(tc::backoff_next_delay(&b, 0xFFFFFFFFu, 0), 500 + 0xFFFFFFFFu % 501);

    // Over many random values every delay stays inside its attempt's range.
    uint32_t seed = 12345;
    bool all_in_range = true;
    for (int round = 0; round < 50; ++round) {
      tc::backoff_init(&b, 1000, 60000, 30000);
      for (int attempt = 0; attempt < 10; ++attempt) {
        seed = seed * 1664525u + 1013904223u;
        const uint32_t ceiling = tc::backoff_ceiling(&b);
        const uint32_t d = tc::backoff_next_delay(&b, seed, 0);
        if (d < ceiling / 2 || d > ceiling || d > 60000) all_in_range = false;
      }
    }
    CHECK(all_in_range);
  }

  g_test = "backoff resets after a connection that lasted stable_ms";
  {
    tc::backoff_init(&b, 1000, 60000, 30000);
    for (int i = 0; i < 5; ++i) tc::backoff_next_delay(&b, 0, 0);
    CHECK_EQ(tc::backoff_ceiling(&b), 32000);
    tc::backoff_connected(&b, 100000);
    CHECK_EQ(tc::backoff_next_delay(&b, 0, 130000), 500);  // lasted 30 s: back to base
    CHECK_EQ(tc::backoff_ceiling(&b), 2000);
  }

  g_test = "backoff keeps growing when connections drop at once";
  {
    tc::backoff_init(&b, 1000, 60000, 30000);
    for (int i = 0; i < 3; ++i) tc::backoff_next_delay(&b, 0, 0);
    tc::backoff_connected(&b, 100000);
    CHECK_EQ(tc::backoff_next_delay(&b, 0, 100500), 4000);  // lasted 0.5 s: no reset
    CHECK_EQ(tc::backoff_ceiling(&b), 16000);
  }

  g_test = "backoff stability is measured across the millis() wrap";
  {
    tc::backoff_init(&b, 1000, 60000, 30000);
    for (int i = 0; i < 4; ++i) tc::backoff_next_delay(&b, 0, 0);
    tc::backoff_connected(&b, 0xFFFFF000u);
    CHECK_EQ(tc::backoff_next_delay(&b, 0, 0x00010000u), 500);  // ~69.6 s later, wrapped
  }

  g_test = "backoff_reset() returns to base";
  {
    tc::backoff_init(&b, 1000, 60000, 30000);
    for (int i = 0; i < 4; ++i) tc::backoff_next_delay(&b, 0, 0);
    tc::backoff_reset(&b);
    CHECK_EQ(tc::backoff_ceiling(&b), 1000);
  }
}

static void test_uptime() {
  tc::Uptime u;

  g_test = "uptime counts from the start value";
  tc::uptime_init(&u, 0);
  tc::uptime_update(&u, 3600999);
  CHECK_EQ(tc::uptime_seconds(&u), 3600);

  g_test = "uptime keeps counting across the millis() wrap";
  tc::uptime_init(&u, 0);
  tc::uptime_update(&u, 0xFFFFFC18u);  // 2^32 - 1000 ms
  tc::uptime_update(&u, 1000u);        // 2 s later, wrapped
  CHECK_EQ(u.total_ms, 0x100000000ull + 1000u);
  CHECK_EQ(tc::uptime_seconds(&u), 4294968);
}

// ---------------------------------------------------------------------------------------------

static tc::Status example_status() {
  // The example in docs/protocol.md.
  tc::Status s;
  s.fw = tc::kFirmwareVersion;
  s.uptime_s = 3600;
  s.heap_free = 151234;
  s.psram_free = 3981234;
  s.rssi_dbm = -61;
  s.frames_sent = 53980;
  s.frames_skipped = 12;
  return s;
}

static const char kExampleJson[] =
    "{\"type\":\"status\",\"fw\":\"trustcam-fw/1.0.0\",\"uptime_s\":3600,\"heap_free\":151234,"
    "\"psram_free\":3981234,\"rssi_dbm\":-61,\"frames_sent\":53980,\"frames_skipped\":12}";

static void test_format_status() {
  char out[tc::kStatusMaxBytes];

  g_test = "format_status() writes the documented message";
  {
    const size_t n = tc::format_status(out, sizeof out, example_status());
    CHECK_STR(out, kExampleJson);
    CHECK_EQ(n, strlen(kExampleJson));
  }

  g_test = "format_status() writes extreme values";
  {
    tc::Status s = example_status();
    s.fw = "x";
    s.uptime_s = 0;
    s.heap_free = 0xFFFFFFFFu;
    s.psram_free = 0;
    s.rssi_dbm = INT32_MIN;
    s.frames_sent = 0xFFFFFFFFFFFFFFFFull;
    s.frames_skipped = 0;
    tc::format_status(out, sizeof out, s);
    CHECK_STR(out,
              "{\"type\":\"status\",\"fw\":\"x\",\"uptime_s\":0,\"heap_free\":4294967295,"
              "\"psram_free\":0,\"rssi_dbm\":-2147483648,\"frames_sent\":18446744073709551615,"
              "\"frames_skipped\":0}");
  }

  g_test = "format_status() escapes the fw string";
  {
    tc::Status s = example_status();
    s.fw = "a\"b\\c\nd\x01\x7F";
    tc::format_status(out, sizeof out, s);
    CHECK(strstr(out, "\"fw\":\"a\\\"b\\\\c\\u000ad\\u0001\\u007f\",") != nullptr);
  }

  g_test = "format_status() cuts fw at 64 bytes on a character boundary";
  {
    tc::Status s = example_status();
    const std::string long_ascii(70, 'a');
    s.fw = long_ascii.c_str();
    tc::format_status(out, sizeof out, s);
    CHECK(strstr(out, ("\"fw\":\"" + std::string(64, 'a') + "\",").c_str()) != nullptr);

    // 63 ASCII bytes then a 2-byte character straddling the limit: the character goes whole.
    const std::string straddle = std::string(63, 'b') + "\xC3\xA9" + "zz";
    s.fw = straddle.c_str();
    tc::format_status(out, sizeof out, s);
    CHECK(strstr(out, ("\"fw\":\"" + std::string(63, 'b') + "\",").c_str()) != nullptr);

    // Exactly 64 bytes ending in a whole character is kept.
    const std::string exact = std::string(62, 'c') + "\xC3\xA9";
    s.fw = exact.c_str();
    tc::format_status(out, sizeof out, s);
    CHECK(strstr(out, ("\"fw\":\"" + exact + "\",").c_str()) != nullptr);
  }

  g_test = "format_status() omits fw when it is null";
  {
    tc::Status s = example_status();
    s.fw = nullptr;
    tc::format_status(out, sizeof out, s);
    CHECK_STR(out,
              "{\"type\":\"status\",\"uptime_s\":3600,\"heap_free\":151234,"
              "\"psram_free\":3981234,\"rssi_dbm\":-61,\"frames_sent\":53980,"
              "\"frames_skipped\":12}");
  }

  g_test = "format_status() returns 0 and an empty string when the buffer is too small";
  {
    const size_t needed = strlen(kExampleJson) + 1;
    char small[sizeof kExampleJson];
    CHECK_EQ(sizeof small, needed);
    CHECK_EQ(tc::format_status(small, needed, example_status()), needed - 1);
    CHECK_STR(small, kExampleJson);

    memset(small, 'Z', sizeof small);
    CHECK_EQ(tc::format_status(small, needed - 1, example_status()), 0);
    CHECK_EQ(small[0], '\0');
    CHECK_EQ(small[needed - 1], 'Z');  // nothing written past cap

    char one[1] = {'Z'};
    CHECK_EQ(tc::format_status(one, 1, example_status()), 0);
    CHECK_EQ(one[0], '\0');
    CHECK_EQ(tc::format_status(one, 0, example_status()), 0);
    CHECK_EQ(tc::format_status(nullptr, 100, example_status()), 0);
  }

  g_test = "format_status() fits the widest message in kStatusMaxBytes";
  {
    tc::Status s;
    const std::string fw(64, '"');  // every byte escaped
    s.fw = fw.c_str();
    s.uptime_s = 0xFFFFFFFFFFFFFFFFull;
    s.heap_free = 0xFFFFFFFFu;
    s.psram_free = 0xFFFFFFFFu;
    s.rssi_dbm = INT32_MIN;
    s.frames_sent = 0xFFFFFFFFFFFFFFFFull;
    s.frames_skipped = 0xFFFFFFFFFFFFFFFFull;
    CHECK(tc::format_status(out, sizeof out, s) > 0);
    CHECK(strlen(out) < 4096);  // the hub's text message limit
  }
}

// One status message per line, covering the edge cases of the format, for the hub's parser.
static int print_status_samples() {
  const std::string e_acute = "\xC3\xA9";
  const std::string grin = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes
  std::string many_e;
  for (int i = 0; i < 70; ++i) many_e += e_acute;
  const std::string fws[] = {
      tc::kFirmwareVersion,
      "a\"b\\c\nd\x01\x7F",
      many_e,                                    // cut to 32 characters (64 bytes)
      std::string(63, 'b') + e_acute + "zz",     // cut before the straddling character
      std::string(60, 'c') + grin,               // exactly 64 bytes: kept
      std::string(62, 'd') + grin,               // cut before the emoji
  };
  char out[tc::kStatusMaxBytes];
  for (const std::string& fw : fws) {
    tc::Status s = example_status();
    s.fw = fw.c_str();
    if (tc::format_status(out, sizeof out, s) == 0) return 1;
    printf("%s\n", out);
  }
  tc::Status s = example_status();
  s.fw = nullptr;
  s.uptime_s = 4294967296ull;  // past 32 bits
  s.heap_free = 0;
  s.psram_free = 0;
  s.rssi_dbm = 0;
  s.frames_sent = 0;
  s.frames_skipped = 0;
  if (tc::format_status(out, sizeof out, s) == 0) return 1;
  printf("%s\n", out);
  return 0;
}

static std::string hub_at(const tc::HubList& list, size_t i) {
  char port[8];
  snprintf(port, sizeof port, "%u", static_cast<unsigned>(list.hubs[i].port));
  return std::string(list.hubs[i].host) + ":" + port;
}

static std::string bad_entry(const char* text, const tc::HubListReport& r) {
  return std::string(text + r.bad_at, r.bad_len);
}

static void test_hub_list() {
  tc::HubList list;
  tc::HubListReport r;

  g_test = "hub_list_init() with no fallbacks keeps the primary alone";
  r = tc::hub_list_init(&list, "hub.lan", 5000, "");
  CHECK_EQ(list.count, 1);
  CHECK_STR(hub_at(list, 0), "hub.lan:5000");
  CHECK_EQ(r.error, tc::HUB_LIST_OK);
  CHECK_EQ(r.skipped, 0);
  r = tc::hub_list_init(&list, "hub.lan", 5000, nullptr);
  CHECK_EQ(list.count, 1);
  CHECK_EQ(r.error, tc::HUB_LIST_OK);

  g_test = "hub_list_init() reads hosts with and without a port";
  r = tc::hub_list_init(&list, "a.lan", 5000, "b.lan:5001,10.0.0.3,c_d-e.lan:65535");
  CHECK_EQ(r.error, tc::HUB_LIST_OK);
  CHECK_EQ(list.count, 4);
  CHECK_STR(hub_at(list, 0), "a.lan:5000");
  CHECK_STR(hub_at(list, 1), "b.lan:5001");
  CHECK_STR(hub_at(list, 2), "10.0.0.3:5000");
  CHECK_STR(hub_at(list, 3), "c_d-e.lan:65535");

  g_test = "hub_list_init() ignores empty entries";
  r = tc::hub_list_init(&list, "a", 443, ",, b ,,\t, c:1,");
  CHECK_EQ(r.error, tc::HUB_LIST_OK);
  CHECK_EQ(r.skipped, 0);
  CHECK_EQ(list.count, 3);
  CHECK_STR(hub_at(list, 1), "b:443");
  CHECK_STR(hub_at(list, 2), "c:1");
  r = tc::hub_list_init(&list, "a", 443, " \t ");
  CHECK_EQ(list.count, 1);
  CHECK_EQ(r.skipped, 0);

  g_test = "hub_list_init() trims whitespace around hosts and ports";
  r = tc::hub_list_init(&list, "a", 5000, "  b.lan  :  5002 \t,\tc.lan\t");
  CHECK_EQ(r.error, tc::HUB_LIST_OK);
  CHECK_EQ(list.count, 3);
  CHECK_STR(hub_at(list, 1), "b.lan:5002");
  CHECK_STR(hub_at(list, 2), "c.lan:5000");

  g_test = "hub_list_init() skips a bad port and keeps the other entries";
  const char* const bad_ports[] = {"b:0", "b:65536", "b:", "b :", "b:50x1", "b:-1", "b:+80",
                                   "b:5000:1", "b:99999999999999999999",
                                   "wss://b"};
  for (size_t i = 0; i < sizeof bad_ports / sizeof bad_ports[0]; ++i) {
    const std::string text = std::string("ok.lan,") + bad_ports[i] + ",ok2.lan:7";
    r = tc::hub_list_init(&list, "a", 5000, text.c_str());
    CHECK_EQ(r.error, tc::HUB_LIST_BAD_PORT);
    CHECK_EQ(r.skipped, 1);
    CHECK_STR(bad_entry(text.c_str(), r), bad_ports[i]);
    CHECK_EQ(list.count, 3);
    CHECK_STR(hub_at(list, 1), "ok.lan:5000");
    CHECK_STR(hub_at(list, 2), "ok2.lan:7");
  }

  g_test = "hub_list_init() skips a bad host";
  const std::string long_host(tc::kHubHostMaxChars + 1, 'h');
  const std::string max_host(tc::kHubHostMaxChars, 'h');
  const std::string bad_hosts[] = {":5000", "b c", "b/ws", long_host, "[::1]:5000"};
  for (size_t i = 0; i < sizeof bad_hosts / sizeof bad_hosts[0]; ++i) {
    r = tc::hub_list_init(&list, "a", 5000, bad_hosts[i].c_str());
    CHECK_EQ(r.error, tc::HUB_LIST_BAD_HOST);
    CHECK_EQ(r.skipped, 1);
    CHECK_STR(bad_entry(bad_hosts[i].c_str(), r), bad_hosts[i]);
    CHECK_EQ(list.count, 1);
  }
  r = tc::hub_list_init(&list, "a", 5000, max_host.c_str());
  CHECK_EQ(r.error, tc::HUB_LIST_OK);
  CHECK_STR(list.hubs[1].host, max_host);

  g_test = "hub_list_init() keeps kMaxHubs addresses and reports the rest";
  const char* const many = "b,c,d,e:1, f";
  r = tc::hub_list_init(&list, "a", 5000, many);
  CHECK_EQ(list.count, tc::kMaxHubs);
  CHECK_STR(hub_at(list, 3), "d:5000");
  CHECK_EQ(r.error, tc::HUB_LIST_TOO_MANY);
  CHECK_EQ(r.skipped, 2);
  CHECK_STR(bad_entry(many, r), "e:1");
  CHECK_STR(tc::hub_list_error_name(r.error), "too many");

  g_test = "hub_list_init() reports the first of several bad entries";
  const char* const two_bad = "b:0, c d ,e";
  r = tc::hub_list_init(&list, "a", 5000, two_bad);
  CHECK_EQ(r.error, tc::HUB_LIST_BAD_PORT);
  CHECK_EQ(r.skipped, 2);
  CHECK_STR(bad_entry(two_bad, r), "b:0");
  CHECK_EQ(list.count, 2);
  CHECK_STR(hub_at(list, 1), "e:5000");

  g_test = "hub_list_next() goes round the list back to the primary";
  tc::hub_list_init(&list, "a", 5000, "b,c");
  CHECK_EQ(tc::hub_list_next(&list, 0), 1);
  CHECK_EQ(tc::hub_list_next(&list, 1), 2);
  CHECK_EQ(tc::hub_list_next(&list, 2), 0);
  tc::hub_list_init(&list, "a", 5000, "");
  CHECK_EQ(tc::hub_list_next(&list, 0), 0);

  g_test = "hub_list_error_name() names every error";
  CHECK_STR(tc::hub_list_error_name(tc::HUB_LIST_OK), "ok");
  CHECK_STR(tc::hub_list_error_name(tc::HUB_LIST_BAD_HOST), "bad host");
  CHECK_STR(tc::hub_list_error_name(tc::HUB_LIST_BAD_PORT), "bad port");
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "--status-example") == 0) {
    char out[tc::kStatusMaxBytes];
    if (tc::format_status(out, sizeof out, example_status()) == 0) return 1;
    printf("%s\n", out);
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "--status-samples") == 0) return print_status_samples();

  test_find_last_eoi();
  test_check_frame();
  test_release_once();
  test_pacer();
  test_backoff();
  test_uptime();
  test_format_status();
  test_hub_list();

  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
