// trustcam camera settings. Copy this file to config.h (git-ignored) in the same folder and set
// your values there; the sketch builds with this example only when config.h is missing.
//
// Wi-Fi credentials and the device identity are NOT here: the rainbowtype library reads them
// from the board (wifiinit / getid) and the client key never leaves the ATECC608.
#ifndef TRUSTCAM_CONFIG_H
#define TRUSTCAM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "esp_camera.h"

// --- Hub -------------------------------------------------------------------------------------

// Host name of the hub. It must match a DNS name in the hub's server certificate: the TLS
// client checks it against the certificate, and the mbedTLS of the ESP32 core 1.0.x matches
// DNS names and the CN, so prefer a name over a bare IP address.
static const char HUB_HOST[] = "hub.example.com";

// The hub's port (docs/protocol.md: wss://HOST:5000/ws).
static const uint16_t HUB_PORT = 5000;

// Further hubs to try when the one above refuses or is lost: "host[:port],host[:port]", up to
// three (a missing port is HUB_PORT; spaces around entries are ignored). Each failed or lost
// connection moves to the next address, after the last back to HUB_HOST, with the usual backoff
// between attempts. Every name must be in its hub's server certificate, signed by HUB_ROOT_CA.
// Leave it "" for one hub, or when a balancer (HAProxy in TCP mode) fronts the hubs on one name.
#define HUB_FALLBACKS ""
// #define HUB_FALLBACKS "hub-b.example.com,hub-c.example.com:5001"

// The WebSocket path. Devices and viewers share the one endpoint.
static const char HUB_PATH[] = "/ws";

// The root CA that signed the hub's server certificate: the hub's `certs/root-ca.crt`, pasted as
// C string lines, each ending in \n. Generate the lines with:
//   sed 's/.*/"&\\n"/' certs/root-ca.crt
// The example below is a placeholder and will not verify any server.
static const char HUB_ROOT_CA[] =
    "-----BEGIN CERTIFICATE-----\n"
    "REPLACE-WITH-THE-LINES-OF-certs/root-ca.crt-FROM-THE-HUB\n"
    "-----END CERTIFICATE-----\n";

// --- Camera ----------------------------------------------------------------------------------

// Frames per second to send (1..30 is sensible). Captures are paced to this rate; when the
// camera or the link is slower, frames are simply later, never sent in a burst to catch up.
static const uint32_t TARGET_FPS = 10;

// Sensor frame size (FRAMESIZE_QVGA, FRAMESIZE_VGA, FRAMESIZE_SVGA, ...). Without PSRAM the
// sketch caps it at FRAMESIZE_SVGA and uses one frame buffer.
static const framesize_t FRAME_SIZE = FRAMESIZE_VGA;

// JPEG quality, 0..63, lower is better and larger. 10..15 keeps VGA frames around 20..40 KB.
static const int JPEG_QUALITY = 12;

// Frame buffers in PSRAM. 2 lets the driver fill one while the other is sent; more buffers
// only make the picture older (the driver hands out the oldest queued frame).
static const size_t FB_COUNT = 2;

// Camera clock. The seed's board runs its sensor at 6 MHz.
static const int XCLK_FREQ_HZ = 6000000;

// Bytes searched backwards from the end of each buffer for the JPEG end marker (FF D9).
// The driver pads buffers with zeros; a frame whose marker is not found here is skipped.
static const size_t EOI_SCAN_BYTES = 4096;

// Frames larger than this are skipped, never sent: the hub closes the connection (1009) for a
// frame over its --max-frame-bytes, whose default is 2 MiB.
static const size_t MAX_FRAME_BYTES = 2097152;

// --- Timing ----------------------------------------------------------------------------------

// Status message interval (docs/protocol.md: every 10 s). One is also sent on each connect.
static const uint32_t STATUS_INTERVAL_MS = 10000;

// Reconnect backoff for the hub: the wait doubles from BASE up to MAX, with jitter (each wait
// is drawn from [ceiling/2, ceiling]). A connection that lasted STABLE resets it to BASE; one
// that ends sooner (the hub replaced this serial with close 4000, a proxy that drops us) keeps
// the wait growing instead of reconnecting in a tight loop.
static const uint32_t HUB_BACKOFF_BASE_MS = 1000;
static const uint32_t HUB_BACKOFF_MAX_MS = 60000;
static const uint32_t HUB_BACKOFF_STABLE_MS = 10000;

// Wi-Fi rejoin: the core reconnects by itself; WiFi.reconnect() is the fallback, on this
// backoff (the first one 5..10 s after the loss, so it does not cut into a join in progress).
static const uint32_t WIFI_BACKOFF_BASE_MS = 10000;
static const uint32_t WIFI_BACKOFF_MAX_MS = 120000;

// Camera init retry when the sensor fails to start.
static const uint32_t CAMERA_BACKOFF_BASE_MS = 2000;
static const uint32_t CAMERA_BACKOFF_MAX_MS = 60000;

// Our own WebSocket pings, to notice a dead hub when no frames flow: ping every INTERVAL, a
// pong missing for TIMEOUT counts as a miss, MISSES misses in a row disconnect.
static const uint32_t WS_PING_INTERVAL_MS = 15000;
static const uint32_t WS_PONG_TIMEOUT_MS = 5000;
static const uint8_t WS_PONG_MISSES = 2;

// --- Logging ---------------------------------------------------------------------------------

// Serial log level at 115200 baud: 0 none, 1 errors, 2 warnings, 3 info, 4 debug (every frame).
static const int LOG_LEVEL = 3;

#endif  // TRUSTCAM_CONFIG_H
