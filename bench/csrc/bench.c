/*
 * bench.c - C functions the benchmarks call that the fixture library does
 * not have. Compiled at benchmark time with
 *
 *     cc -O2 -fPIC -shared -Wall -Werror -o libjitffi_bench.so bench.c
 *
 * and loaded by every path (jitffi, cgo, purego) from the same file, so
 * each path runs the same machine code.
 */
#include <stdint.h>

#define BX_API extern __attribute__((visibility("default")))

/* "f64(f64, f64, f64, f64)": a + 2b + 3c + 4d, left to right. */
BX_API double bx_sum4_f64(double a, double b, double c, double d);

/*
 * "f64(i32, i64, f64, u32, i16, i64, u8, i32)": seven integers and one
 * double, so on x86-64 the last integer (a7) is passed on the C stack.
 * Returns the weighted sum of the arguments converted to double,
 * sum (i+1) * ai, left to right.
 */
BX_API double bx_mix_8(int32_t a0, int64_t a1, double a2, uint32_t a3,
                       int16_t a4, int64_t a5, uint8_t a6, int32_t a7);

double bx_sum4_f64(double a, double b, double c, double d)
{
    double s = 0.0;
    s += 1.0 * a;
    s += 2.0 * b;
    s += 3.0 * c;
    s += 4.0 * d;
    return s;
}

double bx_mix_8(int32_t a0, int64_t a1, double a2, uint32_t a3,
                int16_t a4, int64_t a5, uint8_t a6, int32_t a7)
{
    double s = 0.0;
    s += 1.0 * (double)a0;
    s += 2.0 * (double)a1;
    s += 3.0 * a2;
    s += 4.0 * (double)a3;
    s += 5.0 * (double)a4;
    s += 6.0 * (double)a5;
    s += 7.0 * (double)a6;
    s += 8.0 * (double)a7;
    return s;
}
