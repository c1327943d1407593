// Host stub of the WiFi library of the ESP32 Arduino core 1.0.4 (espressif/arduino-esp32 tag
// 1.0.4, libraries/WiFi/src: WiFiType.h, WiFiGeneric.h, WiFiSTA.h; wifi_mode_t from ESP-IDF
// 3.2's esp_wifi_types.h), limited to what the sketch uses. As upstream, mode() and status()
// are static members. Definitions: firmware/test/sketch_sim.cpp.
#ifndef TRUSTCAM_STUB_WIFI_H
#define TRUSTCAM_STUB_WIFI_H

#include <Arduino.h>

// WiFiType.h
typedef enum {
  WL_NO_SHIELD = 255,
  WL_IDLE_STATUS = 0,
  WL_NO_SSID_AVAIL = 1,
  WL_SCAN_COMPLETED = 2,
  WL_CONNECTED = 3,
  WL_CONNECT_FAILED = 4,
  WL_CONNECTION_LOST = 5,
  WL_DISCONNECTED = 6
} wl_status_t;

// esp_wifi_types.h
typedef enum {
  WIFI_MODE_NULL = 0,
  WIFI_MODE_STA,
  WIFI_MODE_AP,
  WIFI_MODE_APSTA,
  WIFI_MODE_MAX
} wifi_mode_t;

// WiFiType.h
#define WIFI_STA WIFI_MODE_STA

class WiFiClass {
 public:
  // WiFiSTA.h
  wl_status_t begin(const char* ssid, const char* passphrase = NULL, int32_t channel = 0,
                    const uint8_t* bssid = NULL, bool connect = true);
  wl_status_t begin(char* ssid, char* passphrase = NULL, int32_t channel = 0,
                    const uint8_t* bssid = NULL, bool connect = true);
  bool reconnect();
  bool setAutoReconnect(bool autoReconnect);
  static wl_status_t status();
  int8_t RSSI();
  // WiFiGeneric.h
  static bool mode(wifi_mode_t);
  bool setSleep(bool enable);
};

extern WiFiClass WiFi;

#endif  // TRUSTCAM_STUB_WIFI_H
