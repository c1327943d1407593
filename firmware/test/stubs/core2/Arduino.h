// Host stub of the ESP32 Arduino core 2.0.x (espressif/arduino-esp32 2.0.17; WiFi headers as of
// commit 0eb6f2b of libraries/WiFi/src/WiFiSTA.h), for the firmware's compile check.
// Declarations as in cores/esp32/esp32-hal.h, esp32-hal-psram.h, Print.h, HardwareSerial.h,
// Esp.h and esp_arduino_version.h, limited to what the sketch uses. Arduino.h includes
// esp_arduino_version.h from 2.0.0 on, which is what the sketch's core guard reads.
// Definitions: firmware/test/sketch_sim.cpp. Never loosen a signature to make code compile.
#ifndef TRUSTCAM_STUB_ARDUINO_H
#define TRUSTCAM_STUB_ARDUINO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

// cores/esp32/esp_arduino_version.h
#define ESP_ARDUINO_VERSION_MAJOR 2
#define ESP_ARDUINO_VERSION_MINOR 0
#define ESP_ARDUINO_VERSION_PATCH 17

// cores/esp32/esp32-hal.h
unsigned long millis();
void delay(uint32_t ms);

// cores/esp32/esp32-hal-psram.h
bool psramFound();

// esp_random.h (ESP-IDF 4.4), reached through esp32-hal.h
extern "C" uint32_t esp_random(void);

// cores/esp32/Print.h + HardwareSerial.h (2.0.x added the RX FIFO threshold)
class Print {
 public:
  virtual ~Print() {}
  size_t printf(const char* format, ...) __attribute__((format(printf, 2, 3)));
};

class HardwareSerial : public Print {
 public:
  void begin(unsigned long baud, uint32_t config = 0x800001c, int8_t rxPin = -1,
             int8_t txPin = -1, bool invert = false, unsigned long timeout_ms = 20000UL,
             uint8_t rxfifo_full_thrhd = 112);
};

extern HardwareSerial Serial;

// cores/esp32/Esp.h
class EspClass {
 public:
  uint32_t getFreeHeap();
  uint32_t getFreePsram();
};

extern EspClass ESP;

#endif  // TRUSTCAM_STUB_ARDUINO_H
