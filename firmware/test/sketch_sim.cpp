// Host simulation of the camera sketch: the definitions behind firmware/test/stubs/*.h.
//
// Linking the sketch against this file is the "link" half of the compile check (a function the
// sketch calls but no stub defines fails here). Running it plays 320 s of a device's life on a
// fake clock that starts 30 s before the millis() wrap, with fakes for the camera driver, Wi-Fi
// and the WebSocket library, and checks what the hub would see:
//   - every frame buffer is handed back exactly once, never null;
//   - every binary message is a whole JPEG (SOI .. last EOI), padding trimmed, bad captures
//     skipped, and the capture rate while connected is TARGET_FPS;
//   - a status message on connect and every STATUS_INTERVAL_MS, in the documented format, with
//     counters and uptime that match what happened;
//   - during a hub outage, reconnect attempts follow the backoff; none while Wi-Fi is down.
// The WebSocket fake reproduces the reconnect behaviour of WebSockets_Generic's loop(): an
// attempt when `millis() - lastConnectionFail >= reconnectInterval`, and the DISCONNECTED event
// of a failed attempt reported on the next loop() call.
//
// Exit status 0 and a final "sim ok" line on success; "SIM FAIL ..." lines otherwise.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <set>
#include <string>
#include <vector>

#include "Arduino.h"
#include "WiFi.h"
#include "WebSocketsClient_Generic.h"
#include "config.example.h"
#include "esp_camera.h"
#include "rainbowtype.h"
#include "trustcam_logic.h"

void setup();
void loop();

// ---------------------------------------------------------------------------------------------
// Scenario (milliseconds since boot)

// Scenarios (argv[1]): "main" (default) is the 320 s life above; "heartbeat", "blocking" and
// "nopsram" are described at their checks below. Each run is one process: the sketch's state is
// global.
enum Scenario {
  SCENARIO_MAIN,
  SCENARIO_HEARTBEAT,
  SCENARIO_BLOCKING,
  SCENARIO_NOPSRAM,
  SCENARIO_FAILOVER
};
static Scenario g_scenario = SCENARIO_MAIN;

static uint64_t kSimEnd = 320000;
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
static uint64_t g_clock = kClockStart;

static uint64_t sim_ms() {
  return g_clock - kClockStart;
}

static int g_failures = 0;

static void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char* fmt, ...) {
  ++g_failures;
  va_list ap;
  va_start(ap, fmt);
  printf("SIM FAIL at %llu ms: ", static_cast<unsigned long long>(sim_ms()));
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
}

static bool wifi_up_at(uint64_t t) {
  return t >= kWifiJoinAt && !(t >= kWifiDownFrom && t < kWifiDownUntil);
}

// Heartbeat scenario: the hub stops answering pings (a hung process behind a live TCP link)
// from kSilentA until the library drops the link by its pong timeouts, and again from kSilentB
// until 2 s after the first missed pong, when the hub restarts: the link is reset and the hub
// refuses connections for kRestartMs.
static const uint64_t kSilentA = 60000;
static const uint64_t kSilentB = 130000;
static const uint64_t kRestartMs = 1000;
static bool g_silent = false;
static uint64_t g_link_reset_at = 0;  // 0: none scheduled
static uint64_t g_refuse_until = 0;

// Blocking scenario: connects to the stalled hub host block (rainbowtype's blocking connect) for
// up to 30 s and fail, from kStallFrom until kStallUntil; the first write after kWriteBlockA
// blocks until the hub reads again 30 s later; the first write after kWriteBlockB blocks 30 s
// and fails (the hub died meanwhile, back at once).
static const uint64_t kBlockMs = 30000;
static const uint64_t kStallFrom = 40000;
static const uint64_t kStallUntil = 80000;
static const uint64_t kWriteBlockA = 120000;
static const uint64_t kWriteBlockB = 170000;
static int g_write_blocks_done = 0;
static std::vector<uint64_t> g_block_ends;

// Failover scenario, built with HUB_FALLBACKS "hub-b.example.com:5001": hub A (HUB_HOST)
// refuses until kADownUntil, B serves until kBDiesAt and is then gone for good.
static const char kHubB[] = "hub-b.example.com";
static const uint16_t kHubBPort = 5001;
static const uint64_t kADownUntil = 30000;
static const uint64_t kBDiesAt = 70000;
static std::string g_ws_host;
static uint16_t g_ws_port = 0;

static bool hub_up_at(uint64_t t) {
  if (!wifi_up_at(t)) return false;
  if (g_scenario == SCENARIO_FAILOVER) {
    if (g_ws_host == HUB_HOST && g_ws_port == HUB_PORT) return t >= kADownUntil;
    if (g_ws_host == kHubB && g_ws_port == kHubBPort) return t < kBDiesAt;
    return false;
  }
  if (g_scenario == SCENARIO_MAIN) return !(t >= kHubDownFrom && t < kHubDownUntil);
  if (g_scenario == SCENARIO_HEARTBEAT) return t >= g_refuse_until;
  if (g_scenario == SCENARIO_BLOCKING) return !(t >= kStallFrom && t < kStallUntil);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Arduino core

HardwareSerial Serial;
EspClass ESP;
WiFiClass WiFi;

static std::vector<std::string> g_log;

unsigned long millis() {
  return static_cast<unsigned long>(static_cast<uint32_t>(g_clock));
}

void delay(uint32_t ms) {
  g_clock += ms;
}

bool psramFound() {
  return g_scenario != SCENARIO_NOPSRAM;
}

static uint32_t g_random_state = 0x12345678u;

uint32_t esp_random(void) {
  g_random_state = g_random_state * 1664525u + 1013904223u;
  return g_random_state;
}

size_t Print::printf(const char* format, ...) {
  char line[512];
  va_list ap;
  va_start(ap, format);
  const int n = vsnprintf(line, sizeof line, format, ap);
  va_end(ap);
  g_log.push_back(line);
  if (getenv("SIM_VERBOSE") != nullptr) fputs(line, stdout);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

#if defined(ESP_ARDUINO_VERSION_MAJOR) && ESP_ARDUINO_VERSION_MAJOR >= 2
#define SIM_CORE_2 1
void HardwareSerial::begin(unsigned long, uint32_t, int8_t, int8_t, bool, unsigned long, uint8_t) {}
#else
#define SIM_CORE_2 0
void HardwareSerial::begin(unsigned long, uint32_t, int8_t, int8_t, bool, unsigned long) {}
#endif

uint32_t EspClass::getFreeHeap() {
  return 150000;
}

uint32_t EspClass::getFreePsram() {
  return 4000000;
}

// ---------------------------------------------------------------------------------------------
// Wi-Fi and rainbowtype

static bool g_wifi_begun = false;
static int g_wifi_reconnects = 0;
static int g_wifi_reconnects_in_outage = 0;

wl_status_t WiFiClass::begin(const char*, const char*, int32_t, const uint8_t*, bool) {
  g_wifi_begun = true;
  return WL_DISCONNECTED;
}

wl_status_t WiFiClass::begin(char* ssid, char* passphrase, int32_t channel, const uint8_t* bssid,
                             bool connect) {
  if (strcmp(ssid, "trustcam-lab") != 0 || strcmp(passphrase, "lab-secret") != 0) {
    fail("WiFi.begin got other credentials than wifiinit() gave");
  }
  return begin(static_cast<const char*>(ssid), static_cast<const char*>(passphrase), channel,
               bssid, connect);
}

bool WiFiClass::reconnect() {
  ++g_wifi_reconnects;
  if (sim_ms() >= kWifiDownFrom && sim_ms() < kWifiDownUntil) ++g_wifi_reconnects_in_outage;
  return true;
}

bool WiFiClass::setAutoReconnect(bool) {
  return true;
}

wl_status_t WiFiClass::status() {
  return g_wifi_begun && wifi_up_at(sim_ms()) ? WL_CONNECTED : WL_DISCONNECTED;
}

int8_t WiFiClass::RSSI() {
  return status() == WL_CONNECTED ? -55 : 0;
}

bool WiFiClass::mode(wifi_mode_t) {
  return true;
}

bool WiFiClass::setSleep(bool) {
  return true;
}

extern "C" void wifiinit(char* wifissid, char* wifipass) {
  strcpy(wifissid, "trustcam-lab");
  strcpy(wifipass, "lab-secret");
}

extern "C" void getid(char* id) {
  memcpy(id, "0123ABCDEF01234567", 19);  // 18 characters and a NUL: 19 bytes
}

// ---------------------------------------------------------------------------------------------
// Camera driver

static int g_camera_inits = 0;
static bool g_camera_ok = false;
static std::set<camera_fb_t*> g_outstanding;
static uint64_t g_captures = 0;
static uint64_t g_captures_offline = 0;
static std::vector<uint64_t> g_capture_times;
static uint64_t g_expected_skips = 0;  // captures the sketch must skip, plus failed sends
static camera_fb_t* g_last_fb = nullptr;
static size_t g_last_expected_len = 0;
static bool g_hub_connected = false;  // the WebSocket fake's view

esp_err_t esp_camera_init(const camera_config_t* config) {
  ++g_camera_inits;
  if (config->pixel_format != PIXFORMAT_JPEG) fail("camera not set to JPEG");
  if (config->jpeg_quality != JPEG_QUALITY) fail("JPEG quality is not JPEG_QUALITY");
  if (psramFound()) {
    if (config->fb_count != FB_COUNT) fail("fb_count is not FB_COUNT");
    if (config->frame_size != FRAME_SIZE) fail("frame size is not FRAME_SIZE");
  } else {
    if (config->fb_count != 1) fail("fb_count %lu without PSRAM", (unsigned long)config->fb_count);
    if (config->frame_size > FRAMESIZE_SVGA) fail("frame size over SVGA without PSRAM");
  }
#if SIM_CORE_2
  // Without these the 2.x driver allocates in PSRAM (absent: init fails forever) and hands out
  // the oldest queued frame.
  if (config->fb_location != (psramFound() ? CAMERA_FB_IN_PSRAM : CAMERA_FB_IN_DRAM)) {
    fail("fb_location %d with psramFound() %d", config->fb_location, psramFound());
  }
  if (config->grab_mode != (config->fb_count > 1 ? CAMERA_GRAB_LATEST : CAMERA_GRAB_WHEN_EMPTY)) {
    fail("grab_mode %d with %lu buffers", config->grab_mode, (unsigned long)config->fb_count);
  }
#endif
  if (config->xclk_freq_hz != XCLK_FREQ_HZ) fail("xclk is not XCLK_FREQ_HZ");
  // The rainbowtype board's pin map, as in the seed.
  const int pins[] = {config->pin_d0,    config->pin_d1,   config->pin_d2,       config->pin_d3,
                      config->pin_d4,    config->pin_d5,   config->pin_d6,       config->pin_d7,
                      config->pin_xclk,  config->pin_pclk, config->pin_vsync,    config->pin_href,
#if SIM_CORE_2
                      config->pin_sccb_sda, config->pin_sccb_scl, config->pin_pwdn,
#else
                      config->pin_sscb_sda, config->pin_sscb_scl, config->pin_pwdn,
#endif
                      config->pin_reset};
  const int seed[] = {2, 5, 18, 19, 36, 39, 34, 35, 32, 33, 25, 23, 26, 27, -1, 14};
  if (memcmp(pins, seed, sizeof seed) != 0) fail("camera pins differ from the seed's map");
  if (config->ledc_channel != LEDC_CHANNEL_0 || config->ledc_timer != LEDC_TIMER_0) {
    fail("LEDC channel/timer differ from the seed's");
  }
  // The first init fails (a sensor that did not come up), so the retry path runs.
  g_camera_ok = g_camera_inits > 1;
  return g_camera_ok ? ESP_OK : ESP_FAIL;
}

// A JPEG of `body` bytes: SOI, filler that never forms FF D9, optionally a stray FF D9 inside,
// then EOI unless truncated, then zero padding like the driver's buffers.
static camera_fb_t* make_fb(size_t body, bool with_eoi, bool stray_marker, size_t padding,
                            pixformat_t format) {
  camera_fb_t* fb = static_cast<camera_fb_t*>(calloc(1, sizeof(camera_fb_t)));
  const size_t jpeg_len = 2 + body + (with_eoi ? 2 : 0);
  fb->len = jpeg_len + padding;
  fb->buf = static_cast<uint8_t*>(calloc(fb->len, 1));
  fb->buf[0] = 0xFF;
  fb->buf[1] = 0xD8;
  for (size_t i = 0; i < body; ++i) fb->buf[2 + i] = static_cast<uint8_t>(0x10 + i % 0x60);
  if (stray_marker && body > 8) {
    fb->buf[2 + body / 2] = 0xFF;
    fb->buf[3 + body / 2] = 0xD9;
  }
  if (with_eoi) {
    fb->buf[jpeg_len - 2] = 0xFF;
    fb->buf[jpeg_len - 1] = 0xD9;
  }
  fb->width = 640;
  fb->height = 480;
  fb->format = format;
  g_last_expected_len = with_eoi && format == PIXFORMAT_JPEG ? jpeg_len : 0;
  return fb;
}

camera_fb_t* esp_camera_fb_get() {
  if (!g_camera_ok) fail("esp_camera_fb_get() before a successful esp_camera_init()");
  g_clock += kCaptureMs;
  const uint64_t n = g_captures++;
  g_capture_times.push_back(sim_ms());
  if (!g_hub_connected) ++g_captures_offline;
  camera_fb_t* fb = nullptr;
  switch (n % 10) {
    case 3:  // failed capture
      g_last_expected_len = 0;
      ++g_expected_skips;
      g_last_fb = nullptr;
      return nullptr;
    case 5:  // truncated: no EOI
      fb = make_fb(20000, false, false, 512, PIXFORMAT_JPEG);
      break;
    case 7:  // FF D9 inside the data; the real EOI is the last one
      fb = make_fb(30000, true, true, 1024, PIXFORMAT_JPEG);
      break;
    case 9:  // no padding at all
      fb = make_fb(15000, true, false, 0, PIXFORMAT_JPEG);
      break;
    default:
      fb = make_fb(25000 + static_cast<size_t>(n % 7) * 100, true, false, 700,
                   n % 50 == 20 ? PIXFORMAT_RGB565 : PIXFORMAT_JPEG);
      break;
  }
  if (g_last_expected_len == 0) ++g_expected_skips;
  g_outstanding.insert(fb);
  g_last_fb = fb;
  return fb;
}

void esp_camera_fb_return(camera_fb_t* fb) {
  if (fb == nullptr) {
    fail("esp_camera_fb_return(NULL): a failed capture was handed back to the driver");
    return;
  }
  if (g_outstanding.erase(fb) != 1) {
    fail("esp_camera_fb_return() of a buffer the driver did not hand out (or handed back twice)");
    return;
  }
  free(fb->buf);
  free(fb);
}

// ---------------------------------------------------------------------------------------------
// WebSocket library

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

static WebSocketsClient::WebSocketClientEvent g_on_event;
static std::string g_ws_url;
static const char* g_ws_ca = nullptr;
static bool g_ws_heartbeat = false;
static unsigned long g_ws_interval = 500;  // the library's default
static uint32_t g_ws_last_fail = 0;
static bool g_ws_tcp = false;  // a socket object exists (connected or failed, not cleaned up)
static std::vector<uint64_t> g_attempts;
static std::vector<std::string> g_attempt_hosts;  // host:port of each attempt
static std::vector<Connection> g_connections;
static std::vector<StatusSeen> g_statuses;
static uint64_t g_bins = 0;
static bool g_in_callback = false;
static int g_disconnects_reported = 0;
static uint64_t g_last_attempt_end = 0;
static int g_disconnects_at_last_attempt = -1;

// The heartbeat state of WebSockets_Generic 2.3.1 (WSclient_t in WebSockets_Generic.h):
// begin() clears lastPing, pongReceived and pongTimeoutCount; enableHeartbeat() sets the
// three settings and clears pongReceived; a pong sets pongReceived; nothing else resets them.
static uint32_t g_hb_interval = 0;
static uint32_t g_hb_timeout = 0;
static uint8_t g_hb_max_misses = 0;
static uint32_t g_hb_last_ping = 0;
static bool g_hb_pong_received = false;
static uint8_t g_hb_misses = 0;
static std::vector<uint64_t> g_pongs_due;  // arrival times of the hub's pongs in flight
static const uint64_t kPongLatencyMs = 40;

static void fire(WStype_t type, const char* payload) {
  if (!g_on_event) {
    fail("event before onEvent()");
    return;
  }
  g_in_callback = true;
  g_on_event(type,
             reinterpret_cast<uint8_t*>(const_cast<char*>(payload != nullptr ? payload : "")),
             payload != nullptr ? strlen(payload) : 0);
  g_in_callback = false;
}

// WebSocketsClient::clientIsConnected(): notices a lost or failed socket, cleans it up and
// reports DISCONNECTED.
static void client_disconnect(EndedBy why) {
  if (g_hub_connected) {
    g_hub_connected = false;
    g_connections.back().until = sim_ms();
    g_connections.back().captures_at_end = g_captures;
    g_connections.back().ended_by = why;
  }
  g_ws_tcp = false;
  g_pongs_due.clear();
  ++g_disconnects_reported;
  fire(WStype_DISCONNECTED, nullptr);
}

static bool link_alive() {
  if (g_link_reset_at != 0 && sim_ms() >= g_link_reset_at) {
    g_link_reset_at = 0;
    g_silent = false;
    g_refuse_until = sim_ms() + kRestartMs;
    return false;
  }
  return hub_up_at(sim_ms());
}

static bool client_is_connected() {
  if (!g_ws_tcp) return false;
  if (g_hub_connected && link_alive()) return true;
  client_disconnect(ENDED_LINK);
  return false;
}

WebSocketsClient::WebSocketsClient(void) {}
WebSocketsClient::~WebSocketsClient(void) {}

void WebSocketsClient::beginSslWithCA(const char* host, uint16_t port, const char* url,
                                      const char* CA_cert, const char*) {
  // begin() sets the socket pointers to NULL without freeing them.
  if (g_ws_tcp) fail("beginSslWithCA() while the library holds a socket: it would leak it");
  if (g_in_callback) fail("beginSslWithCA() from inside an event");
  g_hb_last_ping = 0;
  g_hb_pong_received = false;
  g_hb_misses = 0;
  g_ws_host = host;
  g_ws_port = port;
  g_ws_url = url;
  g_ws_ca = CA_cert;
  g_ws_last_fail = 0;
}

void WebSocketsClient::onEvent(WebSocketClientEvent cbEvent) {
  g_on_event = cbEvent;
}

// handleClientData() (one pong read per call), then handleHBPing() and handleHBTimeout().
static void heartbeat() {
  if (!g_pongs_due.empty() && sim_ms() >= g_pongs_due.front()) {
    g_pongs_due.erase(g_pongs_due.begin());
    g_hb_pong_received = true;
    ++g_connections.back().pongs;
  }
  if (g_hb_interval == 0) return;
  const uint32_t now = static_cast<uint32_t>(millis());
  if (now - g_hb_last_ping > g_hb_interval) {
    g_hb_last_ping = now;
    g_hb_pong_received = false;
    ++g_connections.back().pings;
    if (!g_silent) g_pongs_due.push_back(sim_ms() + kPongLatencyMs);
  }
  if (g_hb_pong_received) {
    g_hb_misses = 0;
  } else if (now - g_hb_last_ping > g_hb_timeout) {
    ++g_hb_misses;
    g_hb_last_ping = now - g_hb_interval - 500;  // forces a ping on the next call
    if (g_scenario == SCENARIO_HEARTBEAT && g_silent && g_link_reset_at == 0 &&
        sim_ms() >= kSilentB) {
      g_link_reset_at = sim_ms() + 2000;  // the hub restarts 2 s after the first missed pong
    }
    if (g_hb_max_misses != 0 && g_hb_misses >= g_hb_max_misses) {
      if (g_scenario == SCENARIO_HEARTBEAT) g_silent = false;  // the hung hub recovers
      client_disconnect(ENDED_HEARTBEAT);
    }
  }
}

void WebSocketsClient::loop(void) {
  if (g_in_callback) fail("loop() called from inside an event");
  if (g_ws_port == 0) return;
  if (g_scenario == SCENARIO_HEARTBEAT && !g_silent && g_hub_connected &&
      ((sim_ms() >= kSilentA && g_connections.size() == 1) ||
       (sim_ms() >= kSilentB && g_connections.size() == 2))) {
    g_silent = true;
  }
  if (client_is_connected()) {
    heartbeat();
    return;
  }
  if (static_cast<uint32_t>(millis()) - g_ws_last_fail < g_ws_interval) return;
  if (g_disconnects_at_last_attempt == g_disconnects_reported) {
    fail("second connection attempt without a DISCONNECTED for the first");
  }
  if (g_last_attempt_end != 0 && sim_ms() - g_last_attempt_end < HUB_BACKOFF_BASE_MS / 2) {
    fail("connection attempt %llu ms after the previous one ended",
         static_cast<unsigned long long>(sim_ms() - g_last_attempt_end));
  }
  g_disconnects_at_last_attempt = g_disconnects_reported;
  g_attempts.push_back(sim_ms());
  g_attempt_hosts.push_back(g_ws_host + ":" + std::to_string(g_ws_port));
  if (!wifi_up_at(sim_ms())) fail("connection attempt while Wi-Fi is down");
  if (g_scenario == SCENARIO_BLOCKING && !hub_up_at(sim_ms())) {
    // rainbowtype's lwip_connect blocks until the SYN is answered or retries run out.
    const uint64_t until = sim_ms() + kBlockMs < kStallUntil ? sim_ms() + kBlockMs : kStallUntil;
    g_clock += until - sim_ms();
    g_block_ends.push_back(sim_ms());
  }
  g_clock += kConnectMs;
  g_last_attempt_end = sim_ms();
  g_ws_tcp = true;
  if (hub_up_at(sim_ms())) {
    g_ws_last_fail = 0;
    g_hub_connected = true;
    g_connections.push_back(
        Connection{sim_ms(), kSimEnd, g_captures, 0, ENDED_NOT, 0, 0, g_ws_host, g_ws_port, g_bins});
    fire(WStype_CONNECTED, g_ws_url.c_str());
  } else {
    g_ws_last_fail = static_cast<uint32_t>(millis());
  }
}

// A write the hub does not read blocks (rainbowtype's send_ssl_data retries WANT_WRITE). Returns
// false when the write failed and the link is gone.
static bool write_blocks() {
  if (g_scenario != SCENARIO_BLOCKING) return true;
  const uint64_t at = g_write_blocks_done == 0 ? kWriteBlockA : kWriteBlockB;
  if (g_write_blocks_done >= 2 || sim_ms() < at) return true;
  ++g_write_blocks_done;
  g_clock += kBlockMs;
  g_block_ends.push_back(sim_ms());
  if (g_write_blocks_done == 1) return true;
  client_disconnect(ENDED_LINK);
  return false;
}

static bool send_text(const char* payload, size_t length) {
  if (!client_is_connected() || !write_blocks()) return false;
  const std::string json(payload, length != 0 ? length : strlen(payload));
  g_statuses.push_back(StatusSeen{sim_ms(), json, g_bins, g_expected_skips});
  return true;
}

bool WebSocketsClient::sendTXT(uint8_t* payload, size_t length, bool) {
  return send_text(reinterpret_cast<const char*>(payload), length);
}
bool WebSocketsClient::sendTXT(const uint8_t* payload, size_t length) {
  return send_text(reinterpret_cast<const char*>(payload), length);
}
bool WebSocketsClient::sendTXT(char* payload, size_t length, bool) {
  return send_text(payload, length);
}
bool WebSocketsClient::sendTXT(const char* payload, size_t length) {
  return send_text(payload, length);
}
bool WebSocketsClient::sendTXT(char payload) {
  return send_text(&payload, 1);
}

static bool send_binary(const uint8_t* payload, size_t length) {
  if (!client_is_connected() || !write_blocks()) {
    ++g_expected_skips;  // the sketch counts a failed send as skipped
    return false;
  }
  g_clock += kSendMs;
  if (g_last_fb == nullptr || payload != g_last_fb->buf) {
    fail("binary message is not the frame buffer just captured");
  } else if (g_last_expected_len == 0) {
    fail("a bad capture was sent (%lu bytes)", static_cast<unsigned long>(length));
  } else if (length != g_last_expected_len) {
    fail("frame sent with %lu bytes, expected %lu (trimmed at the last EOI)",
         static_cast<unsigned long>(length), static_cast<unsigned long>(g_last_expected_len));
  } else if (payload[0] != 0xFF || payload[1] != 0xD8 || payload[length - 2] != 0xFF ||
             payload[length - 1] != 0xD9) {
    fail("binary message is not SOI .. EOI");
  }
  if (length > MAX_FRAME_BYTES) fail("frame over MAX_FRAME_BYTES sent");
  ++g_bins;
  return true;
}

bool WebSocketsClient::sendBIN(uint8_t* payload, size_t length, bool) {
  return send_binary(payload, length);
}
bool WebSocketsClient::sendBIN(const uint8_t* payload, size_t length) {
  return send_binary(payload, length);
}

void WebSocketsClient::setReconnectInterval(unsigned long time) {
  g_ws_interval = time;
}

void WebSocketsClient::enableHeartbeat(uint32_t pingInterval, uint32_t pongTimeout,
                                       uint8_t disconnectTimeoutCount) {
  g_ws_heartbeat = pingInterval > 0 && pongTimeout > 0 && disconnectTimeoutCount > 0;
  g_hb_interval = pingInterval;
  g_hb_timeout = pongTimeout;
  g_hb_max_misses = disconnectTimeoutCount;
  g_hb_pong_received = false;
}

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
