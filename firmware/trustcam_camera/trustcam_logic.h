// Pure logic of the trustcam camera firmware: no Arduino, no heap, no exceptions.
//
// Everything here compiles on the host with g++ (see firmware/test/) and on the ESP32 with the
// Arduino core's C++11 compiler, which builds every .cpp in the sketch folder.
#ifndef TRUSTCAM_LOGIC_H
#define TRUSTCAM_LOGIC_H

#include <stddef.h>
#include <stdint.h>

namespace tc {

// The `fw` value of the status message (docs/protocol.md, "Device to hub: status").
static const char kFirmwareVersion[] = "trustcam-fw/1.0.0";

// ---------------------------------------------------------------------------------------------
// JPEG frames

// Length of `buf` up to and including its last EOI marker (FF D9), or 0 when there is none.
// Only the last `max_scan` bytes are searched: the driver's buffer ends with the JPEG plus some
// zero padding, so the marker is near the end and scanning a 100 KB frame from the front (as the
// seed did) is wasted work that can also stop at an FF D9 inside entropy-coded data.
size_t find_last_eoi(const uint8_t* buf, size_t len, size_t max_scan);

enum FrameVerdict {
  FRAME_OK = 0,
  FRAME_EMPTY,      // null buffer or shorter than SOI + EOI
  FRAME_NO_SOI,     // does not start with FF D8
  FRAME_NO_EOI,     // no FF D9 within the scan bound (truncated capture)
  FRAME_TOO_LARGE,  // trimmed frame over the hub's --max-frame-bytes: it would close us with 1009
};

// Decides whether a captured buffer is sent and how many bytes. On FRAME_OK `*send_len` is the
// trimmed length (SOI .. last EOI); otherwise it is 0.
FrameVerdict check_frame(const uint8_t* buf, size_t len, size_t max_scan, size_t max_bytes,
                         size_t* send_len);

// "ok", "empty", "no SOI", "no EOI", "too large".
const char* frame_verdict_name(FrameVerdict verdict);

// Hands `p` to `release` only when it is not null, then clears it, so a failed capture never
// gives the driver a null frame buffer and a buffer is never handed back twice.
template <typename T, typename ReleaseFn>
bool release_once(T*& p, ReleaseFn release) {
  if (p == nullptr) return false;
  T* const held = p;
  p = nullptr;
  release(held);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Pacing. All times are millis() values: uint32_t that wrap every 49.7 days, so they are only
// ever compared through their signed difference.

struct Pacer {
  uint32_t next_due_ms;
  uint32_t step_ms;  // whole milliseconds per tick
  uint32_t rem;      // plus rem/div of a millisecond, carried in acc
  uint32_t div;
  uint32_t acc;
};

// `fps` ticks per second (15 fps is 66.67 ms, kept exact on average). 0 means unpaced.
void pacer_init_fps(Pacer* p, uint32_t fps, uint32_t now_ms);
// One tick every `period_ms`.
void pacer_init_period(Pacer* p, uint32_t period_ms, uint32_t now_ms);
// Makes the next tick due at `now_ms` (e.g. right after connecting).
void pacer_restart(Pacer* p, uint32_t now_ms);
bool pacer_due(const Pacer* p, uint32_t now_ms);
// Milliseconds until the next tick, 0 when due.
uint32_t pacer_wait_ms(const Pacer* p, uint32_t now_ms);
// Consumes the due tick. Late by up to half a step keeps the schedule (the average rate holds
// under loop jitter); later than that re-anchors one step after `now_ms`. So two ticks are never
// closer than half a step and a stall never turns into a burst of catch-up frames.
void pacer_advance(Pacer* p, uint32_t now_ms);

// ---------------------------------------------------------------------------------------------
// Reconnect backoff: ceiling = min(max, base * 2^attempt), delay drawn from [ceiling/2, ceiling]
// with an injected random value so a fleet that lost the hub together does not return together.

struct Backoff {
  uint32_t base_ms;
  uint32_t max_ms;
  uint32_t stable_ms;  // a connection must last this long to count as a success
  uint32_t attempt;
  bool connected;
  uint32_t connected_at_ms;
};

void backoff_init(Backoff* b, uint32_t base_ms, uint32_t max_ms, uint32_t stable_ms);
// min(max, base * 2^attempt) for the current attempt, without overflow.
uint32_t backoff_ceiling(const Backoff* b);
// Delay before the next attempt after a failure or a disconnect at `now_ms`; counts the attempt.
// A connection that lasted `stable_ms` resets the count first; one that dropped sooner (a hub
// that accepts and closes, a replaced serial) keeps growing the delay instead of hammering.
uint32_t backoff_next_delay(Backoff* b, uint32_t random_value, uint32_t now_ms);
void backoff_connected(Backoff* b, uint32_t now_ms);
void backoff_reset(Backoff* b);

// ---------------------------------------------------------------------------------------------
// Hub addresses: the primary (HUB_HOST, HUB_PORT) and the fallbacks of HUB_FALLBACKS, a text
// "host[:port],host[:port]" tried in order, one per connection attempt, then the primary again.

static const size_t kMaxHubs = 4;  // the primary and up to three fallbacks
static const size_t kHubHostMaxChars = 63;

struct HubAddress {
  const char* host;
  uint16_t port;
};

struct HubList {
  HubAddress hubs[kMaxHubs];
  size_t count;
  char hosts[kMaxHubs][kHubHostMaxChars + 1];  // the fallbacks' host names, NUL-terminated
};

enum HubListError {
  HUB_LIST_OK = 0,
  HUB_LIST_BAD_HOST,  // empty, longer than kHubHostMaxChars, or not [A-Za-z0-9._-]
  HUB_LIST_BAD_PORT,  // not a number in 1..65535 after the colon
  HUB_LIST_TOO_MANY,  // more than kMaxHubs addresses in all
};

// What parsing left out: the first bad entry (offset and length in the text, trimmed) and how
// many entries were skipped in all.
struct HubListReport {
  HubListError error;
  size_t skipped;
  size_t bad_at;
  size_t bad_len;
};

// Fills `list` with the primary, then each fallback entry of `fallbacks` (null or "" for none).
// Entries are trimmed of spaces and tabs; empty ones ("a,,b", a trailing comma) are ignored; a
// missing port is the primary's. A bad entry or one past kMaxHubs is skipped and reported, the
// others are kept, so a typo in one fallback never costs the camera its primary hub.
HubListReport hub_list_init(HubList* list, const char* primary_host, uint16_t primary_port,
                            const char* fallbacks);
// The address to try after `index` failed or was lost: the next, and the first after the last.
size_t hub_list_next(const HubList* list, size_t index);
// "ok", "bad host", "bad port", "too many".
const char* hub_list_error_name(HubListError error);

// ---------------------------------------------------------------------------------------------
// Uptime that survives the millis() wrap (needs an update at least every 49 days).

struct Uptime {
  uint64_t total_ms;
  uint32_t last_ms;
};

// `start_ms` is the millis() value that counts as zero (0 = since boot).
void uptime_init(Uptime* u, uint32_t start_ms);
void uptime_update(Uptime* u, uint32_t now_ms);
uint64_t uptime_seconds(const Uptime* u);

// ---------------------------------------------------------------------------------------------
// Status message, exactly as specified in docs/protocol.md ("Device to hub: status").

struct Status {
  const char* fw;  // null omits the field; longer than kStatusFwMaxChars is cut
  uint64_t uptime_s;
  uint32_t heap_free;
  uint32_t psram_free;
  int32_t rssi_dbm;
  uint64_t frames_sent;
  uint64_t frames_skipped;
};

static const size_t kStatusFwMaxChars = 64;
// Enough for every field at its widest and a 64-byte fw with every byte escaped.
static const size_t kStatusMaxBytes = 640;

// Writes the JSON text and a terminating NUL into `out`. Returns its length (without the NUL),
// or 0 with `out` left as "" (when cap > 0) if it does not fit: never a truncated message.
size_t format_status(char* out, size_t cap, const Status& s);

}  // namespace tc

#endif  // TRUSTCAM_LOGIC_H
