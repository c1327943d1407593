// Host stub of esp_camera.h + sensor.h + driver/ledc.h as the ESP32 Arduino core 1.0.4 ships
// them (tools/sdk/include/esp32-camera: espressif/esp32-camera of 2019, before fb_location,
// grab_mode, the pin_sccb_* names and camera_fb_t.timestamp existed). Enum values in upstream
// order; limited to what the sketch uses. Definitions: firmware/test/sketch_sim.cpp.
#ifndef TRUSTCAM_STUB_ESP_CAMERA_H
#define TRUSTCAM_STUB_ESP_CAMERA_H

#include <stddef.h>
#include <stdint.h>

// esp_err.h
typedef int esp_err_t;
#define ESP_OK 0
#define ESP_FAIL -1

// driver/ledc.h
typedef enum { LEDC_TIMER_0 = 0, LEDC_TIMER_1, LEDC_TIMER_2, LEDC_TIMER_3 } ledc_timer_t;
typedef enum {
  LEDC_CHANNEL_0 = 0,
  LEDC_CHANNEL_1,
  LEDC_CHANNEL_2,
  LEDC_CHANNEL_3,
  LEDC_CHANNEL_4,
  LEDC_CHANNEL_5,
  LEDC_CHANNEL_6,
  LEDC_CHANNEL_7
} ledc_channel_t;

// sensor.h
typedef enum {
  PIXFORMAT_RGB565,
  PIXFORMAT_YUV422,
  PIXFORMAT_GRAYSCALE,
  PIXFORMAT_JPEG,
  PIXFORMAT_RGB888,
  PIXFORMAT_RAW,
  PIXFORMAT_RGB444,
  PIXFORMAT_RGB555
} pixformat_t;

typedef enum {
  FRAMESIZE_96x96,
  FRAMESIZE_QQVGA,
  FRAMESIZE_QQVGA2,
  FRAMESIZE_QCIF,
  FRAMESIZE_HQVGA,
  FRAMESIZE_240x240,
  FRAMESIZE_QVGA,
  FRAMESIZE_CIF,
  FRAMESIZE_VGA,
  FRAMESIZE_SVGA,
  FRAMESIZE_XGA,
  FRAMESIZE_SXGA,
  FRAMESIZE_UXGA,
  FRAMESIZE_QXGA,
  FRAMESIZE_INVALID
} framesize_t;

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int pin_pwdn;
  int pin_reset;
  int pin_xclk;
  int pin_sscb_sda;
  int pin_sscb_scl;
  int pin_d7;
  int pin_d6;
  int pin_d5;
  int pin_d4;
  int pin_d3;
  int pin_d2;
  int pin_d1;
  int pin_d0;
  int pin_vsync;
  int pin_href;
  int pin_pclk;
  int xclk_freq_hz;
  ledc_timer_t ledc_timer;
  ledc_channel_t ledc_channel;
  pixformat_t pixel_format;
  framesize_t frame_size;
  int jpeg_quality;
  size_t fb_count;
} camera_config_t;

typedef struct {
  uint8_t* buf;
  size_t len;
  size_t width;
  size_t height;
  pixformat_t format;
} camera_fb_t;

esp_err_t esp_camera_init(const camera_config_t* config);
camera_fb_t* esp_camera_fb_get();
void esp_camera_fb_return(camera_fb_t* fb);

#ifdef __cplusplus
}

// Not in the real header: makes handing a literal null back to the driver (the seed's bug)
// a compile error here. A null held in a variable is caught by the host simulation.
void esp_camera_fb_return(decltype(nullptr)) = delete;
#endif

#endif  // TRUSTCAM_STUB_ESP_CAMERA_H
