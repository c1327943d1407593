#include "trustcam_logic.h"

#include <string.h>

namespace tc {

// ---------------------------------------------------------------------------------------------
// JPEG frames

size_t find_last_eoi(const uint8_t* buf, size_t len, size_t max_scan) {
  if (buf == nullptr || len < 2 || max_scan < 2) return 0;
  const size_t window = max_scan < len ? max_scan : len;
  const size_t lowest = len - window;  // first index whose byte is inside the window
  // i is the index of the FF; both bytes must lie inside the window.
  for (size_t i = len - 2;; --i) {
    if (buf[i] == 0xFF && buf[i + 1] == 0xD9) return i + 2;
    if (i == lowest) break;
  }
  return 0;
}

FrameVerdict check_frame(const uint8_t* buf, size_t len, size_t max_scan, size_t max_bytes,
                         size_t* send_len) {
  *send_len = 0;
  if (buf == nullptr || len < 4) return FRAME_EMPTY;
  if (buf[0] != 0xFF || buf[1] != 0xD8) return FRAME_NO_SOI;
  const size_t end = find_last_eoi(buf, len, max_scan);
  // An EOI overlapping the SOI (FF D8 D9) is not a frame.
  if (end < 4) return FRAME_NO_EOI;
  if (end > max_bytes) return FRAME_TOO_LARGE;
  *send_len = end;
  return FRAME_OK;
}

const char* frame_verdict_name(FrameVerdict verdict) {
  switch (verdict) {
    case FRAME_OK:
      return "ok";
    case FRAME_EMPTY:
      return "empty";
    case FRAME_NO_SOI:
      return "no SOI";
    case FRAME_NO_EOI:
      return "no EOI";
    case FRAME_TOO_LARGE:
      return "too large";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// Pacing

static bool reached(uint32_t now_ms, uint32_t due_ms) {
  return static_cast<int32_t>(now_ms - due_ms) >= 0;
}

void pacer_init_fps(Pacer* p, uint32_t fps, uint32_t now_ms) {
  if (fps == 0) {
    p->step_ms = 0;
    p->rem = 0;
    p->div = 1;
  } else {
    p->step_ms = 1000u / fps;
    p->rem = 1000u % fps;
    p->div = fps;
  }
  p->acc = 0;
  p->next_due_ms = now_ms;
}

void pacer_init_period(Pacer* p, uint32_t period_ms, uint32_t now_ms) {
  p->step_ms = period_ms;
  p->rem = 0;
  p->div = 1;
  p->acc = 0;
  p->next_due_ms = now_ms;
}

void pacer_restart(Pacer* p, uint32_t now_ms) {
  p->acc = 0;
  p->next_due_ms = now_ms;
}

bool pacer_due(const Pacer* p, uint32_t now_ms) {
  return reached(now_ms, p->next_due_ms);
}

uint32_t pacer_wait_ms(const Pacer* p, uint32_t now_ms) {
  return reached(now_ms, p->next_due_ms) ? 0 : p->next_due_ms - now_ms;
}

void pacer_advance(Pacer* p, uint32_t now_ms) {
  const int32_t late = static_cast<int32_t>(now_ms - p->next_due_ms);
  uint32_t step = p->step_ms;
  p->acc += p->rem;
  if (p->acc >= p->div) {
    p->acc -= p->div;
    step += 1;
  }
  if (late > 0 && static_cast<uint32_t>(late) > p->step_ms / 2) {
    p->acc = 0;
    p->next_due_ms = now_ms + p->step_ms;
  } else {
    p->next_due_ms += step;
  }
}

// ---------------------------------------------------------------------------------------------
// Backoff

void backoff_init(Backoff* b, uint32_t base_ms, uint32_t max_ms, uint32_t stable_ms) {
  b->base_ms = base_ms == 0 ? 1 : base_ms;
  b->max_ms = max_ms < b->base_ms ? b->base_ms : max_ms;
  b->stable_ms = stable_ms;
  b->attempt = 0;
  b->connected = false;
  b->connected_at_ms = 0;
}

uint32_t backoff_ceiling(const Backoff* b) {
  uint32_t ceiling = b->base_ms;
  for (uint32_t i = 0; i < b->attempt && ceiling < b->max_ms; ++i) {
    ceiling = ceiling > b->max_ms / 2 ? b->max_ms : ceiling * 2;
  }
  return ceiling < b->max_ms ? ceiling : b->max_ms;
}

uint32_t backoff_next_delay(Backoff* b, uint32_t random_value, uint32_t now_ms) {
  if (b->connected) {
    b->connected = false;
    if (now_ms - b->connected_at_ms >= b->stable_ms) b->attempt = 0;
  }
  const uint32_t ceiling = backoff_ceiling(b);
  const uint32_t floor = ceiling / 2;
  const uint32_t span = ceiling - floor + 1;  // ceiling >= 1, so no overflow
  // The ceiling stops growing at max, so the count only needs to reach that point.
  if (b->attempt < 32) b->attempt += 1;
  return floor + random_value % span;
}

void backoff_connected(Backoff* b, uint32_t now_ms) {
  b->connected = true;
  b->connected_at_ms = now_ms;
}

void backoff_reset(Backoff* b) {
  b->attempt = 0;
  b->connected = false;
}

// ---------------------------------------------------------------------------------------------
// Hub addresses

static bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

static bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

// Parses text[from, to) as "host[:port]" into list->hubs[list->count] (not counted yet).
static HubListError parse_hub_entry(HubList* list, const char* text, size_t from, size_t to,
                                    uint16_t default_port) {
  size_t colon = from;
  while (colon < to && text[colon] != ':') ++colon;
  size_t host_end = colon;
  while (host_end > from && is_blank(text[host_end - 1])) --host_end;
  const size_t host_len = host_end - from;
  if (host_len == 0 || host_len > kHubHostMaxChars) return HUB_LIST_BAD_HOST;
  for (size_t i = from; i < host_end; ++i) {
    if (!is_host_char(text[i])) return HUB_LIST_BAD_HOST;
  }
  uint32_t port = default_port;
  if (colon < to) {
    size_t p = colon + 1;
    while (p < to && is_blank(text[p])) ++p;
    if (p == to) return HUB_LIST_BAD_PORT;
    port = 0;
    for (; p < to; ++p) {
      if (text[p] < '0' || text[p] > '9') return HUB_LIST_BAD_PORT;
      port = port * 10 + static_cast<uint32_t>(text[p] - '0');
      if (port > 65535) return HUB_LIST_BAD_PORT;
    }
    if (port == 0) return HUB_LIST_BAD_PORT;
  }
  char* host = list->hosts[list->count];
  memcpy(host, text + from, host_len);
  host[host_len] = '\0';
  list->hubs[list->count].host = host;
  list->hubs[list->count].port = static_cast<uint16_t>(port);
  return HUB_LIST_OK;
}

HubListReport hub_list_init(HubList* list, const char* primary_host, uint16_t primary_port,
                            const char* fallbacks) {
  HubListReport report = {HUB_LIST_OK, 0, 0, 0};
  list->hubs[0].host = primary_host;
  list->hubs[0].port = primary_port;
  list->count = 1;
  if (fallbacks == nullptr) return report;
  size_t start = 0;
  for (;;) {
    size_t end = start;
    while (fallbacks[end] != '\0' && fallbacks[end] != ',') ++end;
    size_t from = start;
    size_t to = end;
    while (from < to && is_blank(fallbacks[from])) ++from;
    while (to > from && is_blank(fallbacks[to - 1])) --to;
    if (from < to) {
      HubListError error = HUB_LIST_TOO_MANY;
      if (list->count < kMaxHubs) {
        error = parse_hub_entry(list, fallbacks, from, to, primary_port);
      }
      if (error == HUB_LIST_OK) {
        ++list->count;
      } else {
        if (report.skipped == 0) {
          report.error = error;
          report.bad_at = from;
          report.bad_len = to - from;
        }
        ++report.skipped;
      }
    }
    if (fallbacks[end] == '\0') break;
    start = end + 1;
  }
  return report;
}

size_t hub_list_next(const HubList* list, size_t index) {
  return index + 1 < list->count ? index + 1 : 0;
}

const char* hub_list_error_name(HubListError error) {
  switch (error) {
    case HUB_LIST_OK:
      return "ok";
    case HUB_LIST_BAD_HOST:
      return "bad host";
    case HUB_LIST_BAD_PORT:
      return "bad port";
    case HUB_LIST_TOO_MANY:
      return "too many";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------------------------
// Uptime

void uptime_init(Uptime* u, uint32_t start_ms) {
  u->total_ms = 0;
  u->last_ms = start_ms;
}

void uptime_update(Uptime* u, uint32_t now_ms) {
  u->total_ms += static_cast<uint32_t>(now_ms - u->last_ms);
  u->last_ms = now_ms;
}

uint64_t uptime_seconds(const Uptime* u) {
  return u->total_ms / 1000u;
}

// ---------------------------------------------------------------------------------------------
// Status JSON

namespace {

// Appends into a fixed buffer; once anything does not fit, the whole message is void.
struct Writer {
  char* out;
  size_t cap;
  size_t len;
  bool ok;

  void put(char c) {
    if (!ok) return;
    if (len + 1 >= cap) {  // keep room for the NUL
      ok = false;
      return;
    }
    out[len++] = c;
  }

  void put(const char* s) {
    while (*s != '\0') put(*s++);
  }

  void put_u64(uint64_t v) {
    char digits[20];
    size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) put(digits[--n]);
  }

  void put_i64(int64_t v) {
    if (v < 0) {
      put('-');
      // Negate in unsigned arithmetic: -INT64_MIN does not fit an int64_t.
      put_u64(~static_cast<uint64_t>(v) + 1u);
    } else {
      put_u64(static_cast<uint64_t>(v));
    }
  }

  // A JSON string of at most `max_bytes` source bytes, cut on a UTF-8 character boundary.
  void put_json_string(const char* s, size_t max_bytes) {
    size_t n = 0;
    while (s[n] != '\0' && n < max_bytes) ++n;
    if (s[n] != '\0') {
      // Cut: do not leave half of a multi-byte character (continuation bytes are 10xxxxxx).
      while (n > 0 && (static_cast<uint8_t>(s[n]) & 0xC0) == 0x80) --n;
    }
    static const char hex[] = "0123456789abcdef";
    put('"');
    for (size_t i = 0; i < n; ++i) {
      const uint8_t c = static_cast<uint8_t>(s[i]);
      if (c == '"' || c == '\\') {
        put('\\');
        put(static_cast<char>(c));
      } else if (c < 0x20 || c == 0x7F) {
        put("\\u00");
        put(hex[c >> 4]);
        put(hex[c & 0x0F]);
      } else {
        put(static_cast<char>(c));
      }
    }
    put('"');
  }
};

}  // namespace

size_t format_status(char* out, size_t cap, const Status& s) {
  if (out == nullptr || cap == 0) return 0;
  Writer w = {out, cap, 0, true};
  // Field order follows the example in docs/protocol.md.
  w.put("{\"type\":\"status\"");
  if (s.fw != nullptr) {
    w.put(",\"fw\":");
    w.put_json_string(s.fw, kStatusFwMaxChars);
  }
  w.put(",\"uptime_s\":");
  w.put_u64(s.uptime_s);
  w.put(",\"heap_free\":");
  w.put_u64(s.heap_free);
  w.put(",\"psram_free\":");
  w.put_u64(s.psram_free);
  w.put(",\"rssi_dbm\":");
  w.put_i64(s.rssi_dbm);
  w.put(",\"frames_sent\":");
  w.put_u64(s.frames_sent);
  w.put(",\"frames_skipped\":");
  w.put_u64(s.frames_skipped);
  w.put('}');
  if (!w.ok) {
    out[0] = '\0';
    return 0;
  }
  out[w.len] = '\0';
  return w.len;
}

}  // namespace tc
