// trustcam camera firmware for the rainbowtype ESP32 board.
//
// Streams JPEG frames to the trustcam hub over a mutually authenticated TLS WebSocket: one
// binary message per frame and a JSON status text message every 10 s, both exactly as
// docs/protocol.md specifies. The client certificate and key stay in the board's ATECC608; the
// hub learns the camera's serial from that certificate alone.
//
// Settings: config.h (copy config.example.h). Build and OTA delivery: firmware/README.md.
// Pure logic (EOI search, pacing, backoff, hub list, status JSON) is in trustcam_logic.* and tested
// on the host by firmware/test/.

#include <Arduino.h>
#include <WiFi.h>
// rainbowtype.h must come before WebSocketsClient_Generic.h: it provides the WiFiClientSecure
// whose TLS uses the ATECC608, and its include guard keeps the core's own class out.
#include <rainbowtype.h>
#include <WebSocketsClient_Generic.h>

// Only kmwebnet's fork of WebSockets_Generic sets a certificate and key on the TLS client,
// which is what makes rainbowtype's client present the ATECC608 certificate. The Library
// Manager's WebSockets_Generic (khoih-prog) only sets the CA, so the hub would refuse every
// connection; its version header defines these macros, the fork (2.3.1) defines neither.
#if defined(WEBSOCKETS_GENERIC_VERSION) || defined(WEBSOCKETS_GENERIC_VERSION_MAJOR)
#error "Wrong WebSockets_Generic: this is khoih-prog's from the Library Manager, which presents no client certificate. Remove it and install kmwebnet/WebSockets_Generic (firmware/README.md, Install step 4)"
#endif

#include "esp_camera.h"

// Arduino-ESP32 2.0.0 and later define ESP_ARDUINO_VERSION_MAJOR (1.0.6 defines it as 1,
// 1.0.4 not at all) and ship the esp32-camera driver with fb_location, grab_mode and the
// pin_sccb_* names; the 1.0.x cores ship the 2019 driver, which has none of them.
#if defined(ESP_ARDUINO_VERSION_MAJOR) && ESP_ARDUINO_VERSION_MAJOR >= 2
#define TRUSTCAM_CAMERA_DRIVER_2 1
#else
#define TRUSTCAM_CAMERA_DRIVER_2 0
#endif

#if __has_include("config.h")
#include "config.h"
#else
#warning "config.h not found: building with config.example.h (copy it to config.h and set your hub)"
#include "config.example.h"
#endif

// config.h files written before the hub list have no HUB_FALLBACKS: one hub, as before.
#ifndef HUB_FALLBACKS
#define HUB_FALLBACKS ""
#endif

#include "trustcam_log.h"
#include "trustcam_logic.h"

// ---------------------------------------------------------------------------------------------
// State

static WebSocketsClient g_ws;

// getid() writes the 18-character serial; the extra room keeps a terminator after it.
static char g_device_id[32];
static char g_wifi_ssid[33];
static char g_wifi_pass[65];

static bool g_wifi_up = false;
static uint32_t g_wifi_retry_at = 0;
static tc::Backoff g_wifi_backoff;

// Between the library's CONNECTED and DISCONNECTED events.
static bool g_hub_up = false;
// After a failure the library is not polled until g_hub_retry_at, so the backoff decides when
// the next connection attempt happens.
static bool g_hub_waiting = false;
static uint32_t g_hub_retry_at = 0;
// A reconnect interval the library does not reach: millis() - lastFail stays below it (for all
// but one millisecond in 49.7 days, and loop() is not called while waiting anyway).
static const unsigned long kHoldReconnect = 0xFFFFFFFFUL;
static tc::Backoff g_hub_backoff;
// HUB_HOST:HUB_PORT, then the fallbacks; every failed or lost connection moves to the next.
static tc::HubList g_hubs;
static size_t g_hub_index = 0;

static bool g_camera_ready = false;
static uint32_t g_camera_retry_at = 0;
static tc::Backoff g_camera_backoff;

static tc::Pacer g_frame_pacer;
static tc::Pacer g_status_pacer;
static tc::Uptime g_uptime;
static uint64_t g_frames_sent = 0;
static uint64_t g_frames_skipped = 0;

static uint32_t now_ms() {
  return static_cast<uint32_t>(millis());
}

static bool time_reached(uint32_t now, uint32_t at) {
  return static_cast<int32_t>(now - at) >= 0;
}

// ---------------------------------------------------------------------------------------------
// Camera

static bool start_camera() {
  // Zero first: newer esp32-camera releases add fields (sccb_i2c_port, ...) whose zero value is
  // the default; the seed left them as stack garbage.
  camera_config_t config = {};
  // The rainbowtype board's pin map (from the seed).
  config.ledc_channel = LEDC_CHANNEL_0;
  config.ledc_timer = LEDC_TIMER_0;
  config.pin_d0 = 2;
  config.pin_d1 = 5;
  config.pin_d2 = 18;
  config.pin_d3 = 19;
  config.pin_d4 = 36;
  config.pin_d5 = 39;
  config.pin_d6 = 34;
  config.pin_d7 = 35;
  config.pin_xclk = 32;
  config.pin_pclk = 33;
  config.pin_vsync = 25;
  config.pin_href = 23;
#if TRUSTCAM_CAMERA_DRIVER_2
  config.pin_sccb_sda = 26;
  config.pin_sccb_scl = 27;
#else
  config.pin_sscb_sda = 26;
  config.pin_sscb_scl = 27;
#endif
  config.pin_pwdn = -1;
  config.pin_reset = 14;
  config.xclk_freq_hz = XCLK_FREQ_HZ;
  config.pixel_format = PIXFORMAT_JPEG;
  config.frame_size = FRAME_SIZE;
  config.jpeg_quality = JPEG_QUALITY;
  config.fb_count = FB_COUNT;
#if TRUSTCAM_CAMERA_DRIVER_2
  config.fb_location = CAMERA_FB_IN_PSRAM;
#endif

  if (!psramFound()) {
    // Without PSRAM the frame buffer lives in internal RAM: one buffer, at most SVGA. The
    // newer driver must be told so, or its allocation in (absent) PSRAM fails on every retry.
    config.fb_count = 1;
    if (config.frame_size > FRAMESIZE_SVGA) config.frame_size = FRAMESIZE_SVGA;
#if TRUSTCAM_CAMERA_DRIVER_2
    config.fb_location = CAMERA_FB_IN_DRAM;
#endif
    LOG_W("no PSRAM: 1 frame buffer, frame size capped at SVGA");
  }
#if TRUSTCAM_CAMERA_DRIVER_2
  // With several buffers, hand out the newest frame rather than the oldest queued one (a live
  // relay wants the picture of now); one buffer is refilled on return, which is recent anyway.
  config.grab_mode = config.fb_count > 1 ? CAMERA_GRAB_LATEST : CAMERA_GRAB_WHEN_EMPTY;
#endif

  const esp_err_t err = esp_camera_init(&config);
  if (err != ESP_OK) {
    LOG_E("camera init failed: error 0x%lx",
          static_cast<unsigned long>(static_cast<uint32_t>(err)));
    return false;
  }
  LOG_I("camera ready: frame size %d, quality %d, %lu buffers", static_cast<int>(config.frame_size),
        config.jpeg_quality, static_cast<unsigned long>(config.fb_count));
  return true;
}

static void maintain_camera(uint32_t now) {
  if (g_camera_ready || !time_reached(now, g_camera_retry_at)) return;
  g_camera_ready = start_camera();
  if (g_camera_ready) {
    tc::backoff_reset(&g_camera_backoff);
    return;
  }
  const uint32_t wait = tc::backoff_next_delay(&g_camera_backoff, esp_random(), now_ms());
  g_camera_retry_at = now_ms() + wait;
  LOG_W("camera retry in %lu ms", static_cast<unsigned long>(wait));
}

// Captures one frame and sends it trimmed at its last EOI. Every buffer taken from the driver
// is handed back exactly once; a failed capture (null) is never handed back.
static void capture_and_send() {
  camera_fb_t* fb = esp_camera_fb_get();
  if (fb == nullptr) {
    ++g_frames_skipped;
    LOG_W("camera capture failed");
    return;
  }

  size_t send_len = 0;
  const tc::FrameVerdict verdict =
      fb->format == PIXFORMAT_JPEG
          ? tc::check_frame(fb->buf, fb->len, EOI_SCAN_BYTES, MAX_FRAME_BYTES, &send_len)
          : tc::FRAME_NO_SOI;

  if (verdict != tc::FRAME_OK) {
    ++g_frames_skipped;
    LOG_W("frame skipped: %s (%lu bytes)", tc::frame_verdict_name(verdict),
          static_cast<unsigned long>(fb->len));
  } else if (g_ws.sendBIN(fb->buf, send_len)) {
    ++g_frames_sent;
    LOG_D("frame sent: %lu of %lu bytes", static_cast<unsigned long>(send_len),
          static_cast<unsigned long>(fb->len));
  } else {
    ++g_frames_skipped;
    LOG_W("frame send failed (%lu bytes)", static_cast<unsigned long>(send_len));
  }

  tc::release_once(fb, [](camera_fb_t* held) { esp_camera_fb_return(held); });
}

// ---------------------------------------------------------------------------------------------
// Status

static void send_status() {
  tc::uptime_update(&g_uptime, now_ms());
  tc::Status status;
  status.fw = tc::kFirmwareVersion;
  status.uptime_s = tc::uptime_seconds(&g_uptime);
  status.heap_free = ESP.getFreeHeap();
  status.psram_free = psramFound() ? ESP.getFreePsram() : 0;
  status.rssi_dbm = WiFi.RSSI();
  status.frames_sent = g_frames_sent;
  status.frames_skipped = g_frames_skipped;

  char json[tc::kStatusMaxBytes];
  const size_t len = tc::format_status(json, sizeof json, status);
  if (len == 0) {
    LOG_E("status message does not fit %lu bytes", static_cast<unsigned long>(sizeof json));
    return;
  }
  if (g_ws.sendTXT(json, len)) {
    LOG_I("status %s", json);
  } else {
    LOG_W("status send failed");
  }
}

// ---------------------------------------------------------------------------------------------
// Network

static void on_ws_event(WStype_t type, uint8_t* payload, size_t length) {
  const uint32_t now = now_ms();
  switch (type) {
    case WStype_CONNECTED:
      g_hub_up = true;
      tc::backoff_connected(&g_hub_backoff, now);
      tc::pacer_restart(&g_frame_pacer, now);
      // A status right away, so the hub shows this camera's details without a 10 s gap.
      tc::pacer_restart(&g_status_pacer, now);
      LOG_I("hub connected: %s:%u%.*s", g_hubs.hubs[g_hub_index].host,
            static_cast<unsigned>(g_hubs.hubs[g_hub_index].port),
            static_cast<int>(payload != nullptr ? length : 0),
            payload != nullptr ? reinterpret_cast<const char*>(payload) : "");
      break;

    case WStype_DISCONNECTED: {
      const bool was_up = g_hub_up;
      g_hub_up = false;
      const uint32_t wait = tc::backoff_next_delay(&g_hub_backoff, esp_random(), now);
      // Left alone, WebSocketsClient::loop() reconnects right after reporting a lost connection
      // (in the same call) and after a failed one waits only its own interval. Holding it off
      // here leaves the timing to the backoff: loop() is not called until g_hub_retry_at, and
      // maintain_hub() lifts the hold just before that call.
      g_ws.setReconnectInterval(kHoldReconnect);
      g_hub_waiting = true;
      g_hub_retry_at = now + wait;
      // A hub that refuses or died is likely to do so again: the next attempt (hub_begin())
      // goes to the next address, and after the last one back to the first.
      g_hub_index = tc::hub_list_next(&g_hubs, g_hub_index);
      if (was_up) {
        LOG_W("hub connection lost; reconnecting to %s:%u in %lu ms",
              g_hubs.hubs[g_hub_index].host, static_cast<unsigned>(g_hubs.hubs[g_hub_index].port),
              static_cast<unsigned long>(wait));
      } else {
        LOG_W("hub connection failed; retrying %s:%u in %lu ms", g_hubs.hubs[g_hub_index].host,
              static_cast<unsigned>(g_hubs.hubs[g_hub_index].port),
              static_cast<unsigned long>(wait));
      }
      break;
    }

    case WStype_TEXT:
      // The hub sends devices no text today; log it for diagnosis.
      LOG_D("hub says: %.*s", static_cast<int>(payload != nullptr ? length : 0),
            payload != nullptr ? reinterpret_cast<const char*>(payload) : "");
      break;

    case WStype_ERROR:
      LOG_W("websocket error");
      break;

    default:
      break;
  }
}

static bool maintain_wifi(uint32_t now) {
  if (WiFi.status() == WL_CONNECTED) {
    if (!g_wifi_up) {
      g_wifi_up = true;
      tc::backoff_connected(&g_wifi_backoff, now);
      LOG_I("wifi connected to \"%s\", RSSI %d dBm", g_wifi_ssid, static_cast<int>(WiFi.RSSI()));
    }
    return true;
  }
  if (g_wifi_up) {
    g_wifi_up = false;
    const uint32_t wait = tc::backoff_next_delay(&g_wifi_backoff, esp_random(), now);
    g_wifi_retry_at = now + wait;
    LOG_W("wifi lost; rejoin fallback in %lu ms", static_cast<unsigned long>(wait));
  } else if (time_reached(now, g_wifi_retry_at)) {
    const uint32_t wait = tc::backoff_next_delay(&g_wifi_backoff, esp_random(), now);
    g_wifi_retry_at = now + wait;
    LOG_W("wifi still down; rejoining (next try in %lu ms)", static_cast<unsigned long>(wait));
    WiFi.reconnect();
  }
  return false;
}

// Configures the library for the next connection attempt. Calling begin again is what resets
// its heartbeat state (pongTimeoutCount, lastPing, pongReceived): WebSockets_Generic clears it
// only in begin() or on a pong, so without this a link that died with an unanswered ping leaves
// a count that drops the next connection at its first pong timeout. Only called while the
// library holds no socket (after DISCONNECTED, which it reports after freeing it): begin()
// forgets the socket pointer instead of freeing it.
static void hub_begin() {
  const tc::HubAddress& hub = g_hubs.hubs[g_hub_index];
  g_ws.beginSslWithCA(hub.host, hub.port, HUB_PATH, HUB_ROOT_CA);
  g_ws.enableHeartbeat(WS_PING_INTERVAL_MS, WS_PONG_TIMEOUT_MS, WS_PONG_MISSES);
  g_ws.setReconnectInterval(0);  // attempt in the next loop() call
}

static void maintain_hub(uint32_t now, bool wifi_up) {
  if (g_hub_waiting && !time_reached(now, g_hub_retry_at)) return;
  // Without Wi-Fi an attempt can only fail; keep polling an open connection so the library
  // notices the loss and reports it.
  if (!wifi_up && !g_hub_up) return;
  if (g_hub_waiting) {
    g_hub_waiting = false;
    hub_begin();
  }
  // May block: a connect to a hub that does not answer, or a write the hub does not read, holds
  // this call for up to tens of seconds (firmware/README.md, "Blocking"). Pacing and backoff
  // measure from millis() after it returns, so a block costs frames but never causes a burst.
  g_ws.loop();
}

// ---------------------------------------------------------------------------------------------
// Arduino entry points

void setup() {
  Serial.begin(115200);
  const uint32_t now = now_ms();
  tc::uptime_init(&g_uptime, 0);
  tc::uptime_update(&g_uptime, now);
  LOG_I("%s starting", tc::kFirmwareVersion);

  getid(g_device_id);
  g_device_id[18] = '\0';
  wifiinit(g_wifi_ssid, g_wifi_pass);
  g_wifi_ssid[sizeof g_wifi_ssid - 1] = '\0';
  g_wifi_pass[sizeof g_wifi_pass - 1] = '\0';
  LOG_I("device %s, hub wss://%s:%u%s", g_device_id, HUB_HOST, static_cast<unsigned>(HUB_PORT),
        HUB_PATH);
  const tc::HubListReport hubs = tc::hub_list_init(&g_hubs, HUB_HOST, HUB_PORT, HUB_FALLBACKS);
  for (size_t i = 1; i < g_hubs.count; ++i) {
    LOG_I("fallback hub %u: %s:%u", static_cast<unsigned>(i), g_hubs.hubs[i].host,
          static_cast<unsigned>(g_hubs.hubs[i].port));
  }
  if (hubs.error != tc::HUB_LIST_OK) {
    LOG_E("HUB_FALLBACKS: %u entries ignored, the first \"%.*s\": %s (at most %u hubs)",
          static_cast<unsigned>(hubs.skipped), static_cast<int>(hubs.bad_len),
          HUB_FALLBACKS + hubs.bad_at, tc::hub_list_error_name(hubs.error),
          static_cast<unsigned>(tc::kMaxHubs));
  }

  tc::backoff_init(&g_wifi_backoff, WIFI_BACKOFF_BASE_MS, WIFI_BACKOFF_MAX_MS, 0);
  tc::backoff_init(&g_hub_backoff, HUB_BACKOFF_BASE_MS, HUB_BACKOFF_MAX_MS,
                   HUB_BACKOFF_STABLE_MS);
  tc::backoff_init(&g_camera_backoff, CAMERA_BACKOFF_BASE_MS, CAMERA_BACKOFF_MAX_MS, 0);
  tc::pacer_init_fps(&g_frame_pacer, TARGET_FPS, now);
  tc::pacer_init_period(&g_status_pacer, STATUS_INTERVAL_MS, now);

  // Not waiting for the join here: loop() keeps the camera and the reconnect logic running.
  WiFi.mode(WIFI_STA);
  WiFi.setSleep(false);  // modem sleep costs throughput and latency on a streaming camera
  WiFi.setAutoReconnect(true);
  WiFi.begin(g_wifi_ssid, g_wifi_pass);
  g_wifi_retry_at = now + WIFI_BACKOFF_BASE_MS;

  g_ws.onEvent(on_ws_event);
  hub_begin();  // first attempt as soon as Wi-Fi is up

  g_camera_retry_at = now;
  maintain_camera(now_ms());

  LOG_I("free heap %lu bytes, free PSRAM %lu bytes", static_cast<unsigned long>(ESP.getFreeHeap()),
        static_cast<unsigned long>(psramFound() ? ESP.getFreePsram() : 0));
}

void loop() {
  const uint32_t now = now_ms();
  tc::uptime_update(&g_uptime, now);

  const bool wifi_up = maintain_wifi(now);
  maintain_hub(now, wifi_up);
  maintain_camera(now);

  if (g_hub_up && g_camera_ready && tc::pacer_due(&g_frame_pacer, now_ms())) {
    tc::pacer_advance(&g_frame_pacer, now_ms());
    capture_and_send();
  }
  // Sending may have found the connection gone (the library reports it from inside sendBIN).
  if (g_hub_up && tc::pacer_due(&g_status_pacer, now_ms())) {
    tc::pacer_advance(&g_status_pacer, now_ms());
    send_status();
  }

  // Sleep until the next frame is due, but wake at least every 10 ms so the WebSocket keeps
  // answering the hub's pings and reading close frames.
  uint32_t idle = 10;
  if (g_hub_up && g_camera_ready) {
    const uint32_t wait = tc::pacer_wait_ms(&g_frame_pacer, now_ms());
    if (wait < idle) idle = wait;
  }
  delay(idle == 0 ? 1 : idle);
}
