// Host simulation of the camera sketch, part 1: the definitions behind firmware/test/stubs/*.h
// (Arduino core, Wi-Fi and rainbowtype, camera driver, WebSocket library), fakes that follow
// the scenario of sim_world.h on a fake clock and record what the hub would see. The checks and
// main() are in sketch_sim.cpp.
//
// Linking the sketch against this file is the "link" half of the compile check (a function the
// sketch calls but no stub defines fails here). The WebSocket fake reproduces the reconnect
// behaviour of WebSockets_Generic's loop(): an attempt when
// `millis() - lastConnectionFail >= reconnectInterval`, and the DISCONNECTED event of a failed
// attempt reported on the next loop() call.

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
#include "sim_world.h"
#include "trustcam_logic.h"

// ---------------------------------------------------------------------------------------------
// Scenario and clock

Scenario g_scenario = SCENARIO_MAIN;
uint64_t kSimEnd = 320000;

uint64_t g_clock = kClockStart;

uint64_t sim_ms() {
  return g_clock - kClockStart;
}

int g_failures = 0;

void fail(const char* fmt, ...) {
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

// Heartbeat scenario (sim_world.h): the hung hub, the scheduled link reset, the restart.
static bool g_silent = false;
static uint64_t g_link_reset_at = 0;  // 0: none scheduled
static uint64_t g_refuse_until = 0;

// Blocking scenario (sim_world.h).
static int g_write_blocks_done = 0;
std::vector<uint64_t> g_block_ends;

// The address the library was begun with: which hub an attempt reaches (failover scenario).
std::string g_ws_host;
uint16_t g_ws_port = 0;

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

std::vector<std::string> g_log;

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

bool g_wifi_begun = false;
static int g_wifi_reconnects = 0;
int g_wifi_reconnects_in_outage = 0;

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

int g_camera_inits = 0;
static bool g_camera_ok = false;
std::set<camera_fb_t*> g_outstanding;
uint64_t g_captures = 0;
uint64_t g_captures_offline = 0;
std::vector<uint64_t> g_capture_times;
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

static WebSocketsClient::WebSocketClientEvent g_on_event;
std::string g_ws_url;
const char* g_ws_ca = nullptr;
bool g_ws_heartbeat = false;
static unsigned long g_ws_interval = 500;  // the library's default
static uint32_t g_ws_last_fail = 0;
static bool g_ws_tcp = false;  // a socket object exists (connected or failed, not cleaned up)
std::vector<uint64_t> g_attempts;
std::vector<std::string> g_attempt_hosts;  // host:port of each attempt
std::vector<Connection> g_connections;
std::vector<StatusSeen> g_statuses;
uint64_t g_bins = 0;
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
