// The host simulation's shared world: the scenario timeline, what the fakes record (defined in
// sim_fakes.cpp) and the clock. sketch_sim.cpp checks the records; sim_fakes.cpp writes them.
#ifndef TRUSTCAM_SIM_WORLD_H
#define TRUSTCAM_SIM_WORLD_H

#include <stdint.h>

#include <set>
#include <string>
#include <vector>

#include "esp_camera.h"

// ---------------------------------------------------------------------------------------------
// Scenario (milliseconds since boot)

// Scenarios (argv[1]): "main" (default) is the 320 s life of sketch_sim.cpp's header; the others
// are described at their checks. Each run is one process: the sketch's state is global.
enum Scenario {
  SCENARIO_MAIN,
  SCENARIO_HEARTBEAT,
  SCENARIO_BLOCKING,
  SCENARIO_NOPSRAM,
  SCENARIO_FAILOVER
};
extern Scenario g_scenario;
extern uint64_t kSimEnd;

static const uint64_t kWifiJoinAt = 2000;
static const uint64_t kHubDownFrom = 100000;
static const uint64_t kHubDownUntil = 200000;
static const uint64_t kWifiDownFrom = 270000;
static const uint64_t kWifiDownUntil = 300000;

// Fake durations of blocking calls.
static const uint32_t kCaptureMs = 3;
static const uint32_t kSendMs = 2;
static const uint32_t kConnectMs = 200;

static const uint64_t kClockStart = 0x100000000ull - 30000;  // millis() wraps 30 s in

// Heartbeat scenario: the hub stops answering pings (a hung process behind a live TCP link)
// from kSilentA until the library drops the link by its pong timeouts, and again from kSilentB
// until 2 s after the first missed pong, when the hub restarts: the link is reset and the hub
// refuses connections for kRestartMs.
static const uint64_t kSilentA = 60000;
static const uint64_t kSilentB = 130000;
static const uint64_t kRestartMs = 1000;

// Blocking scenario: connects to the stalled hub host block (rainbowtype's blocking connect) for
// up to 30 s and fail, from kStallFrom until kStallUntil; the first write after kWriteBlockA
// blocks until the hub reads again 30 s later; the first write after kWriteBlockB blocks 30 s
// and fails (the hub died meanwhile, back at once).
static const uint64_t kBlockMs = 30000;
static const uint64_t kStallFrom = 40000;
static const uint64_t kStallUntil = 80000;
static const uint64_t kWriteBlockA = 120000;
static const uint64_t kWriteBlockB = 170000;

// Failover scenario, built with HUB_FALLBACKS "hub-b.example.com:5001": hub A (HUB_HOST)
// refuses until kADownUntil, B serves until kBDiesAt and is then gone for good.
static const char kHubB[] = "hub-b.example.com";
static const uint16_t kHubBPort = 5001;
static const uint64_t kADownUntil = 30000;
static const uint64_t kBDiesAt = 70000;

// ---------------------------------------------------------------------------------------------
// Clock and failures

extern uint64_t g_clock;
uint64_t sim_ms();
extern int g_failures;
void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// ---------------------------------------------------------------------------------------------
// What the fakes saw

enum EndedBy { ENDED_NOT, ENDED_LINK, ENDED_HEARTBEAT };

struct Connection {
  uint64_t from;
  uint64_t until;
  uint64_t captures_at_start;
  uint64_t captures_at_end;
  EndedBy ended_by;
  int pings;
  int pongs;
  std::string host;
  uint16_t port;
  uint64_t bins_at_start;
};

struct StatusSeen {
  uint64_t at;
  std::string json;
  uint64_t bins_before;
  uint64_t expected_skips_before;
};

extern std::vector<std::string> g_log;  // serial lines
extern bool g_wifi_begun;
extern int g_wifi_reconnects_in_outage;
extern int g_camera_inits;
extern std::set<camera_fb_t*> g_outstanding;
extern uint64_t g_captures;
extern uint64_t g_captures_offline;
extern std::vector<uint64_t> g_capture_times;
extern std::string g_ws_host;
extern uint16_t g_ws_port;
extern std::string g_ws_url;
extern const char* g_ws_ca;
extern bool g_ws_heartbeat;
extern std::vector<uint64_t> g_attempts;
extern std::vector<std::string> g_attempt_hosts;  // host:port of each attempt
extern std::vector<Connection> g_connections;
extern std::vector<StatusSeen> g_statuses;
extern uint64_t g_bins;
extern std::vector<uint64_t> g_block_ends;  // when each blocking call returned

#endif  // TRUSTCAM_SIM_WORLD_H
