// Host stub of the ESP32 Arduino core 1.0.4 (espressif/arduino-esp32 tag 1.0.4, the core the
// rainbowtype libraries were written for), for the firmware's compile check. Declarations as in
// cores/esp32/esp32-hal.h, esp32-hal-psram.h, Print.h, HardwareSerial.h and Esp.h of that tag,
// limited to what the sketch uses. 1.0.4 has no esp_arduino_version.h, so
// ESP_ARDUINO_VERSION_MAJOR stays undefined (1.0.6 defines it as 1; the sketch treats both alike).
// Definitions: firmware/test/sketch_sim.cpp. Never loosen a signature to make code compile.
#ifndef TRUSTCAM_STUB_ARDUINO_H
#define TRUSTCAM_STUB_ARDUINO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

// cores/esp32/esp32-hal.h
unsigned long millis();
void delay(uint32_t ms);

// cores/esp32/esp32-hal-psram.h
bool psramFound();

// esp_system.h (ESP-IDF 3.2), reached through esp32-hal.h
extern "C" uint32_t esp_random(void);

// cores/esp32/Print.h + HardwareSerial.h
class Print {
 public:
  virtual ~Print() {}
  size_t printf(const char* format, ...) __attribute__((format(printf, 2, 3)));
};

class HardwareSerial : public Print {
 public:
  void begin(unsigned long baud, uint32_t config = 0x800001c, int8_t rxPin = -1,
             int8_t txPin = -1, bool invert = false, unsigned long timeout_ms = 20000UL);
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
