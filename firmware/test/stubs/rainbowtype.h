// Host stub of rainbowtype.h from kmwebnet/rainbowtype-arduino-boilerplate: the two functions
// the sketch calls. The real header also declares the ATECC608-backed WiFiClientSecure (under
// the core's include guard, WiFiClientSecure_h) that WebSockets_Generic then uses for wss://.
// Definitions: firmware/test/sketch_sim.cpp.
#ifndef WiFiClientSecure_h
#define WiFiClientSecure_h

#include "Arduino.h"
#include <WiFi.h>

extern "C" {
// Reads the Wi-Fi credentials stored on the board (32-byte SSID, 64-byte password buffers).
void wifiinit(char* wifissid, char* wifipass);
// Writes the device serial (the ATECC608's, 18 hex characters starting "0123").
void getid(char* id);
}

#endif  // WiFiClientSecure_h
