// Host simulation of the camera sketch, part 2: the checks and main(); the fakes are in
// sim_fakes.cpp, the scenario timeline in sim_world.h. Running it plays 320 s of a device's life
// on a fake clock that starts 30 s before the millis() wrap, with fakes for the camera driver, Wi-Fi
// and the WebSocket library, and checks what the hub would see:
//   - every frame buffer is handed back exactly once, never null;
//   - every binary message is a whole JPEG (SOI .. last EOI), padding trimmed, bad captures
//     skipped, and the capture rate while connected is TARGET_FPS;
//   - a status message on connect and every STATUS_INTERVAL_MS, in the documented format, with
//     counters and uptime that match what happened;
//   - during a hub outage, reconnect attempts follow the backoff; none while Wi-Fi is down.
// Exit status 0 and a final "sim ok" line on success; "SIM FAIL ..." lines otherwise.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "Arduino.h"
#include "config.example.h"
#include "sim_world.h"

void setup();
void loop();

// ---------------------------------------------------------------------------------------------
// Checks

static void check_setup() {
  if (g_ws_host != HUB_HOST || g_ws_port != HUB_PORT || g_ws_url != HUB_PATH) {
    fail("beginSslWithCA(%s, %u, %s) does not use config.h", g_ws_host.c_str(),
         static_cast<unsigned>(g_ws_port), g_ws_url.c_str());
  }
  if (g_ws_ca != HUB_ROOT_CA && (g_ws_ca == nullptr || strcmp(g_ws_ca, HUB_ROOT_CA) != 0)) {
    fail("beginSslWithCA() not given HUB_ROOT_CA");
  }
  if (!g_ws_heartbeat) fail("no WebSocket heartbeat enabled");
  if (!g_wifi_begun) fail("WiFi.begin() never called");
}

static void check_buffers() {
  if (!g_outstanding.empty()) {
    fail("%lu frame buffers never handed back", static_cast<unsigned long>(g_outstanding.size()));
  }
  if (g_camera_inits != 2) {
    fail("camera init ran %d times, expected 2 (fail, retry)", g_camera_inits);
  }
  if (g_captures_offline != 0) {
    fail("%llu captures while not connected", static_cast<unsigned long long>(g_captures_offline));
  }
}

static void check_pacing() {
  if (g_connections.size() != 3) {
    fail("%lu connections, expected 3 (boot, after the hub outage, after the Wi-Fi outage)",
         static_cast<unsigned long>(g_connections.size()));
    return;
  }
  for (size_t i = 0; i < g_connections.size(); ++i) {
    const Connection& c = g_connections[i];
    const uint64_t end_captures = c.until == kSimEnd ? g_captures : c.captures_at_end;
    const double expected = static_cast<double>(c.until - c.from) * TARGET_FPS / 1000.0;
    const double got = static_cast<double>(end_captures - c.captures_at_start);
    if (got < expected - 2 || got > expected + 2) {
      fail("connection %lu: %.0f captures in %.1f s, expected %.1f at %lu fps",
           static_cast<unsigned long>(i), got, (c.until - c.from) / 1000.0, expected,
           static_cast<unsigned long>(TARGET_FPS));
    }
  }
  if (g_connections[0].from > kWifiJoinAt + kConnectMs + 100) {
    fail("first connection only at %llu ms",
         static_cast<unsigned long long>(g_connections[0].from));
  }
  if (g_bins < 1000) fail("only %llu frames sent", static_cast<unsigned long long>(g_bins));
}

static void check_statuses() {
  uint64_t previous = 0;
  size_t connection = 0;
  for (size_t i = 0; i < g_statuses.size(); ++i) {
    const StatusSeen& s = g_statuses[i];
    unsigned long long uptime = 0, sent = 0, skipped = 0;
    unsigned heap = 0, psram = 0;
    int rssi = 0, consumed = 0;
    const int fields = sscanf(s.json.c_str(),
                              "{\"type\":\"status\",\"fw\":\"trustcam-fw/1.0.0\",\"uptime_s\":%llu,"
                              "\"heap_free\":%u,\"psram_free\":%u,\"rssi_dbm\":%d,"
                              "\"frames_sent\":%llu,\"frames_skipped\":%llu}%n",
                              &uptime, &heap, &psram, &rssi, &sent, &skipped, &consumed);
    if (fields != 6 || static_cast<size_t>(consumed) != s.json.size()) {
      fail("status %lu is not in the documented format: %s", static_cast<unsigned long>(i),
           s.json.c_str());
      continue;
    }
    const uint64_t millis_since_boot = kClockStart + s.at;  // millis() counted from its zero
    if (uptime != millis_since_boot / 1000) {
      fail("status uptime_s %llu, expected %llu", uptime,
           static_cast<unsigned long long>(millis_since_boot / 1000));
    }
    if (heap != 150000 || psram != 4000000 || rssi != -55) {
      fail("status heap/psram/rssi %u/%u/%d do not come from ESP/WiFi", heap, psram, rssi);
    }
    if (sent != s.bins_before || skipped != s.expected_skips_before) {
      fail("status counts sent %llu skipped %llu, the hub saw %llu and %llu were bad", sent,
           skipped, static_cast<unsigned long long>(s.bins_before),
           static_cast<unsigned long long>(s.expected_skips_before));
    }
    // Which connection is this status on, and is it the first on it?
    while (connection + 1 < g_connections.size() && s.at >= g_connections[connection + 1].from) {
      ++connection;
      previous = 0;
    }
    const Connection& c = g_connections[connection];
    if (previous == 0) {
      if (s.at - c.from > 50) {
        fail("first status %llu ms after connecting",
             static_cast<unsigned long long>(s.at - c.from));
      }
    } else {
      const uint64_t gap = s.at - previous;
      if (gap < STATUS_INTERVAL_MS || gap > STATUS_INTERVAL_MS + 50) {
        fail("status interval %llu ms", static_cast<unsigned long long>(gap));
      }
    }
    previous = s.at;
  }
  if (g_statuses.size() < 15) {
    fail("only %lu status messages", static_cast<unsigned long>(g_statuses.size()));
  }
}

static void check_reconnects() {
  // Attempts while the hub was down: the first after the drop, then the failures' backoff.
  std::vector<uint64_t> outage;
  for (size_t i = 0; i < g_attempts.size(); ++i) {
    if (g_attempts[i] >= kHubDownFrom && g_attempts[i] < kHubDownUntil + HUB_BACKOFF_MAX_MS) {
      outage.push_back(g_attempts[i]);
    }
    if (g_attempts[i] >= kWifiDownFrom && g_attempts[i] < kWifiDownUntil) {
      fail("connection attempt at %llu ms while Wi-Fi was down",
           static_cast<unsigned long long>(g_attempts[i]));
    }
  }
  if (outage.size() < 5 || outage.size() > 10) {
    fail("%lu attempts during the 100 s hub outage, expected 5..10 with backoff",
         static_cast<unsigned long>(outage.size()));
  }
  // The drop came after a stable connection, so the backoff restarts at base: gap k lies in
  // [ceiling_k/2, ceiling_k] (+ the attempt's own duration and loop granularity).
  for (size_t k = 0; k + 1 < outage.size(); ++k) {
    uint64_t ceiling = HUB_BACKOFF_BASE_MS;
    for (size_t j = 0; j < k + 1 && ceiling < HUB_BACKOFF_MAX_MS; ++j) ceiling *= 2;
    if (ceiling > HUB_BACKOFF_MAX_MS) ceiling = HUB_BACKOFF_MAX_MS;
    const uint64_t gap = outage[k + 1] - outage[k];
    if (gap < ceiling / 2 || gap > ceiling + kConnectMs + 50) {
      fail("reconnect gap %lu was %llu ms, expected %llu..%llu", static_cast<unsigned long>(k),
           static_cast<unsigned long long>(gap), static_cast<unsigned long long>(ceiling / 2),
           static_cast<unsigned long long>(ceiling + kConnectMs + 50));
    }
  }
  if (g_wifi_reconnects_in_outage < 1) fail("WiFi.reconnect() fallback never tried");
  if (g_connections.size() == 3 && g_connections[2].from > kWifiDownUntil + 1000) {
    fail("reconnected only %llu ms after Wi-Fi came back",
         static_cast<unsigned long long>(g_connections[2].from - kWifiDownUntil));
  }
}

static void check_log() {
  size_t errors = 0;
  for (size_t i = 0; i < g_log.size(); ++i) {
    if (g_log[i].find(" E ") == 10) ++errors;
  }
  if (errors != 1) {
    fail("%lu error lines in the log, expected 1 (the failed camera init)",
         static_cast<unsigned long>(errors));
  }
}

// Heartbeat: the first silent hub is dropped by the pong timeouts within one ping interval
// plus two timeouts; the link reset in the second silence (a miss already counted, a ping
// unanswered) is followed by a connection that outlives its first heartbeat windows.
static void check_heartbeat() {
  if (g_connections.size() != 3) {
    fail("%lu connections, expected 3 (boot, after the heartbeat drop, after the hub restart)",
         static_cast<unsigned long>(g_connections.size()));
    return;
  }
  const Connection& a = g_connections[0];
  const Connection& b = g_connections[1];
  const Connection& c = g_connections[2];
  const uint64_t limit = WS_PING_INTERVAL_MS + 2 * WS_PONG_TIMEOUT_MS + 1000;
  if (a.ended_by != ENDED_HEARTBEAT || a.until < kSilentA || a.until > kSilentA + limit) {
    fail("silent hub: connection ended at %llu ms by %d, expected a heartbeat drop by %llu ms",
         static_cast<unsigned long long>(a.until), a.ended_by,
         static_cast<unsigned long long>(kSilentA + limit));
  }
  if (b.ended_by != ENDED_LINK || b.until < kSilentB) {
    fail("hub restart: connection ended at %llu ms by %d, expected the link reset",
         static_cast<unsigned long long>(b.until), b.ended_by);
  }
  if (c.ended_by != ENDED_NOT || c.until - c.from < 2 * (WS_PING_INTERVAL_MS + WS_PONG_TIMEOUT_MS)) {
    fail("after the restart: connection %llu..%llu ms ended by %d (heartbeat state kept from "
         "the dead link?)",
         static_cast<unsigned long long>(c.from), static_cast<unsigned long long>(c.until),
         c.ended_by);
  }
  if (c.pongs < 2 || b.pongs < 2) fail("pongs %d and %d: pings not answered", b.pongs, c.pongs);
}

// Blocking: a 30 s connect and two 30 s writes. No burst after a block (captures at most one
// interval after the late one: at least half an interval apart, at most TARGET_FPS + 1 in the second
// after), statuses never closer than STATUS_INTERVAL_MS on one connection, attempts only after
// a DISCONNECTED and a backoff (checked in loop()).
static void check_blocking() {
  if (g_block_ends.size() < 3) {
    fail("only %lu blocks happened", static_cast<unsigned long>(g_block_ends.size()));
  }
  if (g_connections.size() != 3) {
    fail("%lu connections, expected 3 (boot, after the stalled connects, after the failed write)",
         static_cast<unsigned long>(g_connections.size()));
  }
  const uint64_t step = 1000 / TARGET_FPS;
  for (size_t i = 1; i < g_capture_times.size(); ++i) {
    if (g_capture_times[i] - g_capture_times[i - 1] < step / 2) {
      fail("captures %llu ms apart at %llu ms",
           static_cast<unsigned long long>(g_capture_times[i] - g_capture_times[i - 1]),
           static_cast<unsigned long long>(g_capture_times[i]));
    }
  }
  for (size_t b = 0; b < g_block_ends.size(); ++b) {
    size_t n = 0;
    for (size_t i = 0; i < g_capture_times.size(); ++i) {
      if (g_capture_times[i] >= g_block_ends[b] && g_capture_times[i] < g_block_ends[b] + 1000) ++n;
    }
    if (n > TARGET_FPS + 1) {
      fail("%lu captures in the second after a block ended at %llu ms", static_cast<unsigned long>(n),
           static_cast<unsigned long long>(g_block_ends[b]));
    }
  }
  size_t connection = 0;
  for (size_t i = 1; i < g_statuses.size(); ++i) {
    while (connection + 1 < g_connections.size() &&
           g_statuses[i].at >= g_connections[connection + 1].from) {
      ++connection;
    }
    const bool first = g_statuses[i - 1].at < g_connections[connection].from;
    if (!first && g_statuses[i].at - g_statuses[i - 1].at < STATUS_INTERVAL_MS) {
      fail("status %llu ms after the previous one",
           static_cast<unsigned long long>(g_statuses[i].at - g_statuses[i - 1].at));
    }
  }
}

// Failover: A refuses at boot, so the second attempt, one backoff later, goes to B; B dies and
// the next attempt, one backoff later, goes round to A, which is back. One attempt per address
// in turn, no connection to A while on B (checked in loop(): no attempt without a DISCONNECTED),
// and frames flow on each connection at the paced rate.
static void check_failover() {
  const std::string a = std::string(HUB_HOST) + ":" + std::to_string(HUB_PORT);
  const std::string b = std::string(kHubB) + ":" + std::to_string(kHubBPort);
  if (strcmp(HUB_FALLBACKS, "hub-b.example.com:5001") != 0) {
    fail("failover needs a build with HUB_FALLBACKS \"hub-b.example.com:5001\", got \"%s\"",
         HUB_FALLBACKS);
    return;
  }
  if (g_attempt_hosts.size() != 3 || g_attempt_hosts[0] != a || g_attempt_hosts[1] != b ||
      g_attempt_hosts[2] != a) {
    std::string seen;
    for (size_t i = 0; i < g_attempt_hosts.size(); ++i) seen += " " + g_attempt_hosts[i];
    fail("attempts went to%s, expected %s %s %s", seen.c_str(), a.c_str(), b.c_str(), a.c_str());
    return;
  }
  if (g_connections.size() != 2) {
    fail("%lu connections, expected 2 (B after A refused, A after B died)",
         static_cast<unsigned long>(g_connections.size()));
    return;
  }
  const Connection& on_b = g_connections[0];
  const Connection& on_a = g_connections[1];
  if (on_b.host != kHubB || on_b.port != kHubBPort || on_a.host != HUB_HOST ||
      on_a.port != HUB_PORT) {
    fail("connected to %s:%u then %s:%u", on_b.host.c_str(), static_cast<unsigned>(on_b.port),
         on_a.host.c_str(), static_cast<unsigned>(on_a.port));
  }
  // The first backoff wait after a refusal, and after a stable link, is at most the base.
  const uint64_t within = HUB_BACKOFF_BASE_MS + 2 * kConnectMs + 50;
  if (g_attempts[1] - g_attempts[0] > within) {
    fail("B tried %llu ms after A refused, expected within %llu ms",
         static_cast<unsigned long long>(g_attempts[1] - g_attempts[0]),
         static_cast<unsigned long long>(within));
  }
  if (on_b.until != kBDiesAt && on_b.until > kBDiesAt + 50) {
    fail("connection to B ended at %llu ms, B died at %llu ms",
         static_cast<unsigned long long>(on_b.until), static_cast<unsigned long long>(kBDiesAt));
  }
  if (on_a.from - on_b.until > within) {
    fail("back on A %llu ms after B died, expected within %llu ms",
         static_cast<unsigned long long>(on_a.from - on_b.until),
         static_cast<unsigned long long>(within));
  }
  const uint64_t frames_on_b = on_a.bins_at_start - on_b.bins_at_start;
  const uint64_t frames_on_a = g_bins - on_a.bins_at_start;
  const uint64_t expect_b = (on_b.until - on_b.from) * TARGET_FPS / 1000;
  const uint64_t expect_a = (kSimEnd - on_a.from) * TARGET_FPS / 1000;
  // Some captures are bad on purpose (skipped, never sent): allow a third.
  if (frames_on_b < expect_b * 2 / 3 || frames_on_a < expect_a * 2 / 3) {
    fail("frames on B %llu (paced %llu), on A %llu (paced %llu)",
         static_cast<unsigned long long>(frames_on_b), static_cast<unsigned long long>(expect_b),
         static_cast<unsigned long long>(frames_on_a), static_cast<unsigned long long>(expect_a));
  }
}

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : "main";
  if (strcmp(name, "heartbeat") == 0) {
    g_scenario = SCENARIO_HEARTBEAT;
    kSimEnd = 220000;
  } else if (strcmp(name, "blocking") == 0) {
    g_scenario = SCENARIO_BLOCKING;
    kSimEnd = 240000;
  } else if (strcmp(name, "nopsram") == 0) {
    g_scenario = SCENARIO_NOPSRAM;
    kSimEnd = 60000;
  } else if (strcmp(name, "failover") == 0) {
    g_scenario = SCENARIO_FAILOVER;
    kSimEnd = 100000;
  } else if (strcmp(name, "main") != 0) {
    printf("Unknown scenario: \"%s\"\n", name);
    return 2;
  }
  setup();
  check_setup();
  while (sim_ms() < kSimEnd) {
    const uint64_t before = g_clock;
    loop();
    if (g_clock == before) {
      fail("loop() returned without letting time pass (busy loop)");
      break;
    }
  }
  check_buffers();
  if (g_scenario == SCENARIO_MAIN) {
    check_pacing();
    check_statuses();
    check_reconnects();
    check_log();
  } else if (g_scenario == SCENARIO_HEARTBEAT) {
    check_heartbeat();
  } else if (g_scenario == SCENARIO_BLOCKING) {
    check_blocking();
  } else if (g_scenario == SCENARIO_FAILOVER) {
    check_failover();
  }

  if (getenv("SIM_VERBOSE") != nullptr) {
    for (size_t i = 0; i < g_connections.size(); ++i) {
      printf("connection %lu: %llu .. %llu ms\n", static_cast<unsigned long>(i),
             static_cast<unsigned long long>(g_connections[i].from),
             static_cast<unsigned long long>(g_connections[i].until));
    }
    for (size_t i = 0; i < g_attempts.size(); ++i) {
      printf("attempt at %llu ms to %s\n", static_cast<unsigned long long>(g_attempts[i]),
             g_attempt_hosts[i].c_str());
    }
  }
  if (g_failures != 0) {
    printf("%d simulation checks failed\n", g_failures);
    return 1;
  }
  if (g_scenario != SCENARIO_MAIN) printf("sim ok (%s): ", name);
  else printf("sim ok: ");
  printf("%llu s simulated, %llu captures, %llu frames sent, %lu status messages, "
         "%lu connection attempts\n",
         static_cast<unsigned long long>(kSimEnd / 1000),
         static_cast<unsigned long long>(g_captures), static_cast<unsigned long long>(g_bins),
         static_cast<unsigned long>(g_statuses.size()),
         static_cast<unsigned long>(g_attempts.size()));
  return 0;
}
