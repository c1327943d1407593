// Host stub of src/rainbowtype.h of kmwebnet/rainbowtype-arduino-boilerplate 1.0.0 (commit
// 259dc78): the two functions the sketch calls. The real header also declares the
// ATECC608-backed WiFiClientSecure under the core's include guard (WiFiClientSecure_h), which
// the WebSockets_Generic fork then uses for wss://. Definitions: firmware/test/sketch_sim.cpp.
#ifndef WiFiClientSecure_h
#define WiFiClientSecure_h

#include "Arduino.h"
#include <WiFi.h>

extern "C" {
// Reads the Wi-Fi credentials stored on the board (32-byte SSID, 64-byte password buffers).
void wifiinit(char* wifissid, char* wifipass);
// Writes the device serial: the ATECC608's 9-byte serial number as 18 lowercase hex
// characters ("0123" + 14), the value rainbowtype puts, upper-cased, in the certificate CN.
void getid(char* id);
}

#endif  // WiFiClientSecure_h
