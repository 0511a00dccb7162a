using JaxToolchain.Ir;
using Buffer = JaxToolchain.Ir.Buffer;

namespace JaxToolchain.Runtime.Tests;

/// <summary>
/// Pins <see cref="ArrayRepr"/> to what JAX prints. Unless a test says otherwise, each expected string was
/// produced offline by NumPy 1.24.2's <c>array2string</c> (<c>str(a)</c>, and JAX's <c>ArrayImpl.__repr__</c>
/// run over it: prefix <c>Array(</c>, separator <c>, </c>, suffix <c>,</c>, line width 75). NumPy 2.3 changed
/// two things JAX users now see, pinned separately below from the NumPy 2.3 sources: floats switch to
/// scientific at 1e3 (float16) and 1e6 (float32) instead of 1e8, and the 1e-4 and ratio tests compare in
/// the array's own dtype. bfloat16 strings follow ml_dtypes, which prints each element with C++
/// <c>std::ostream</c> (<c>%g</c>): they were produced with Python's <c>'%g' % x</c> on the bfloat16 values.
/// </summary>
public class ArrayReprTests
{
    private static void AssertPrints(Buffer buffer, string repr, string str, bool weakType = false)
    {
        Assert.Equal(repr, ArrayRepr.Format(buffer, weakType));
        Assert.Equal(str, ArrayRepr.FormatElements(buffer));
    }

    private static float[] FloatRange(int n, float divisor) => [.. Enumerable.Range(0, n).Select(i => i / divisor)];

    [Fact]
    public void Zero_vector_prints_integral_floats_with_trailing_point() =>
        AssertPrints(Buffer.Of(new float[] { 0, 0, 0 }, 3), "Array([0., 0., 0.], dtype=float32)", "[0. 0. 0.]");

    [Fact]
    public void Scalar_float_repr_is_bare_but_str_is_the_python_scalar_text() =>
        AssertPrints(Buffer.Scalar(1f), "Array(1., dtype=float32)", "1.0");

    [Fact]
    public void Weak_typed_scalar_names_its_weak_type() =>
        AssertPrints(Buffer.Scalar(3), "Array(3, dtype=int32, weak_type=True)", "3", weakType: true);

    [Fact]
    public void Weak_typed_float_scalar_names_its_weak_type() =>
        AssertPrints(Buffer.Scalar(2f), "Array(2., dtype=float32, weak_type=True)", "2.0", weakType: true);

    [Fact]
    public void Bools_pad_true_to_the_width_of_false() =>
        AssertPrints(Buffer.Of(new[] { true, false }, 2), "Array([ True, False], dtype=bool)", "[ True False]");

    [Fact]
    public void Scalar_bool_is_not_padded() =>
        AssertPrints(Buffer.Scalar(true), "Array(True, dtype=bool)", "True");

    [Fact]
    public void Matrix_rows_continue_under_the_opening_bracket() =>
        AssertPrints(Buffer.Of(new[] { 1, 2, 3, 4 }, 2, 2),
            "Array([[1, 2],\n       [3, 4]], dtype=int32)",
            "[[1 2]\n [3 4]]");

    [Fact]
    public void Float32_values_print_their_float32_shortest_digits_and_dtype_is_spaced_off_when_long() =>
        AssertPrints(Buffer.Of(FloatRange(5, 3), 5),
            "Array([0.        , 0.33333334, 0.6666667 , 1.        , 1.3333334 ],      dtype=float32)",
            "[0.         0.33333334 0.6666667  1.         1.3333334 ]");

    [Fact]
    public void Float32_tenth_prints_as_one_digit() =>
        AssertPrints(Buffer.Scalar(0.1f), "Array(0.1, dtype=float32)", "0.1");

    [Fact]
    public void Fractions_are_padded_to_a_common_width() =>
        AssertPrints(Buffer.Of(new[] { 0.1, 0.25 }, 2), "Array([0.1 , 0.25], dtype=float64)", "[0.1  0.25]");

    [Fact]
    public void Integer_parts_are_right_aligned() =>
        AssertPrints(Buffer.Of(new[] { 100.0, 250.5 }, 2), "Array([100. , 250.5], dtype=float64)", "[100.  250.5]");

    [Fact]
    public void Long_float_vector_wraps_at_75_columns() =>
        AssertPrints(Buffer.Of(FloatRange(20, 1), 20),
            "Array([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12.,\n       13., 14., 15., 16., 17., 18., 19.], dtype=float32)",
            "[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n 18. 19.]");

    [Fact]
    public void Long_int_vector_wraps_with_right_aligned_columns() =>
        AssertPrints(Buffer.Of(Enumerable.Range(0, 30).Select(i => i * 1000).ToArray(), 30),
            "Array([    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,\n        9000, 10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000,\n       18000, 19000, 20000, 21000, 22000, 23000, 24000, 25000, 26000,\n       27000, 28000, 29000], dtype=int32)",
            "[    0  1000  2000  3000  4000  5000  6000  7000  8000  9000 10000 11000\n 12000 13000 14000 15000 16000 17000 18000 19000 20000 21000 22000 23000\n 24000 25000 26000 27000 28000 29000]");

    [Fact]
    public void Wrapped_matrix_rows_indent_under_their_own_bracket_and_space_off_the_dtype() =>
        AssertPrints(Buffer.Of(FloatRange(40, 7), 2, 20),
            "Array([[0.        , 0.14285715, 0.2857143 , 0.42857143, 0.5714286 ,\n        0.71428573, 0.85714287, 1.        , 1.1428572 , 1.2857143 ,\n        1.4285715 , 1.5714285 , 1.7142857 , 1.8571428 , 2.        ,\n        2.142857  , 2.2857144 , 2.4285715 , 2.5714285 , 2.7142856 ],\n       [2.857143  , 3.        , 3.142857  , 3.2857144 , 3.4285715 ,\n        3.5714285 , 3.7142856 , 3.857143  , 4.        , 4.142857  ,\n        4.285714  , 4.428571  , 4.571429  , 4.714286  , 4.857143  ,\n        5.        , 5.142857  , 5.285714  , 5.428571  , 5.571429  ]],      dtype=float32)",
            "[[0.         0.14285715 0.2857143  0.42857143 0.5714286  0.71428573\n  0.85714287 1.         1.1428572  1.2857143  1.4285715  1.5714285\n  1.7142857  1.8571428  2.         2.142857   2.2857144  2.4285715\n  2.5714285  2.7142856 ]\n [2.857143   3.         3.142857   3.2857144  3.4285715  3.5714285\n  3.7142856  3.857143   4.         4.142857   4.285714   4.428571\n  4.571429   4.714286   4.857143   5.         5.142857   5.285714\n  5.428571   5.571429  ]]");

    [Fact]
    public void Empty_vector_shows_its_shape() =>
        AssertPrints(Buffer.Zeros(DType.Float32, Shape.Of(0)), "Array([], shape=(0,), dtype=float32)", "[]");

    [Fact]
    public void Empty_matrix_shows_its_shape() =>
        AssertPrints(Buffer.Zeros(DType.Int32, Shape.Of(2, 0)), "Array([], shape=(2, 0), dtype=int32)", "[]");

    [Fact]
    public void Small_values_switch_to_scientific_with_padded_mantissas() =>
        AssertPrints(Buffer.Of(new[] { 1e-5, 1.5e-5 }, 2), "Array([1.0e-05, 1.5e-05], dtype=float64)", "[1.0e-05 1.5e-05]");

    [Fact]
    public void Scientific_mantissas_without_digits_keep_the_point() =>
        AssertPrints(Buffer.Of(new[] { 1e-5, 2e-5 }, 2), "Array([1.e-05, 2.e-05], dtype=float64)", "[1.e-05 2.e-05]");

    [Fact]
    public void Values_of_1e8_switch_float64_to_scientific() =>
        AssertPrints(Buffer.Of(new[] { 1e8, 1.0 }, 2), "Array([1.e+08, 1.e+00], dtype=float64)", "[1.e+08 1.e+00]");

    [Fact]
    public void A_range_ratio_above_1000_switches_to_scientific() =>
        AssertPrints(Buffer.Of(new[] { 0.001, 2.5 }, 2), "Array([1.0e-03, 2.5e+00], dtype=float64)", "[1.0e-03 2.5e+00]");

    [Fact]
    public void Large_float32_scalar_prints_eight_mantissa_digits() =>
        AssertPrints(Buffer.Scalar(123456789f), "Array(1.2345679e+08, dtype=float32)", "1.2345679e+08");

    [Fact]
    public void Three_digit_exponents_pad_every_exponent_to_three_digits() =>
        AssertPrints(Buffer.Of(new[] { 1e-100, 1.0 }, 2), "Array([1.e-100, 1.e+000], dtype=float64)", "[1.e-100 1.e+000]");

    [Fact]
    public void Negative_scientific_values_get_a_sign_column() =>
        AssertPrints(Buffer.Of(new[] { -1e-7f, 3e-7f }, 2), "Array([-1.e-07,  3.e-07], dtype=float32)", "[-1.e-07  3.e-07]");

    [Fact]
    public void Zero_among_scientific_values_prints_as_zero_exponent() =>
        AssertPrints(Buffer.Of(new[] { 0.0, 1e-5 }, 2), "Array([0.e+00, 1.e-05], dtype=float64)", "[0.e+00 1.e-05]");

    [Fact]
    public void Scientific_pads_a_short_value_with_more_of_its_exact_digits() =>
        AssertPrints(Buffer.Of(new[] { 1e-5f, 1.2345678e-5f }, 2),
            "Array([9.9999997e-06, 1.2345678e-05], dtype=float32)", "[9.9999997e-06 1.2345678e-05]");

    [Fact]
    public void Nan_and_inf_print_right_aligned() =>
        AssertPrints(Buffer.Of(new[] { float.NaN, float.PositiveInfinity }, 2), "Array([nan, inf], dtype=float32)", "[nan inf]");

    [Fact]
    public void Negative_infinity_widens_the_column() =>
        AssertPrints(Buffer.Of(new[] { float.NaN, float.NegativeInfinity, 1.5f }, 3),
            "Array([ nan, -inf,  1.5], dtype=float32)", "[ nan -inf  1.5]");

    [Fact]
    public void Infinities_take_the_width_of_scientific_values() =>
        AssertPrints(Buffer.Of(new[] { 1e-7, double.PositiveInfinity, double.NegativeInfinity }, 3),
            "Array([1.e-07,    inf,   -inf], dtype=float64)", "[1.e-07    inf   -inf]");

    [Fact]
    public void All_nan_array_prints_bare_nans() =>
        AssertPrints(Buffer.Of(new[] { float.NaN, float.NaN }, 2), "Array([nan, nan], dtype=float32)", "[nan nan]");

    [Fact]
    public void Negative_zero_keeps_its_sign() =>
        AssertPrints(Buffer.Of(new[] { -0f, 1f }, 2), "Array([-0.,  1.], dtype=float32)", "[-0.  1.]");

    [Fact]
    public void Negative_values_pad_positive_ones_for_the_sign() =>
        AssertPrints(Buffer.Of(new[] { -1.5f, 2f }, 2), "Array([-1.5,  2. ], dtype=float32)", "[-1.5  2. ]");

    [Fact]
    public void At_most_eight_fractional_digits_are_printed() =>
        AssertPrints(Buffer.Of(new[] { 1.0 / 3, 2.0 / 3 }, 2), "Array([0.33333333, 0.66666667], dtype=float64)", "[0.33333333 0.66666667]");

    [Fact]
    public void Cut_digits_round_half_to_even_on_the_exact_value() =>
        AssertPrints(Buffer.Of(new[] { 0.001953125, 0.5 }, 2), "Array([0.00195312, 0.5       ], dtype=float64)", "[0.00195312 0.5       ]");

    [Fact]
    public void A_value_rounding_to_an_integer_loses_its_fraction() =>
        AssertPrints(Buffer.Of(new[] { 1.000000001, 2.5 }, 2), "Array([1. , 2.5], dtype=float64)", "[1.  2.5]");

    [Fact]
    public void Float16_values_print_their_half_precision_shortest_digits() =>
        AssertPrints(Buffer.Of(new[] { (Half)0.1, (Half)0.5, (Half)(1.0 / 3) }, 3),
            "Array([0.1   , 0.5   , 0.3333], dtype=float16)", "[0.1    0.5    0.3333]");

    [Fact]
    public void Integers_right_align_to_the_widest_including_the_sign() =>
        AssertPrints(Buffer.Of(new[] { -100, 5, 20 }, 3), "Array([-100,    5,   20], dtype=int32)", "[-100    5   20]");

    [Fact]
    public void Integer_matrix_columns_share_one_width() =>
        AssertPrints(Buffer.Of(new short[] { 1, -20, 300, 4 }, 2, 2),
            "Array([[  1, -20],\n       [300,   4]], dtype=int16)", "[[  1 -20]\n [300   4]]");

    [Fact]
    public void Uint8_values_above_127_print_unsigned() =>
        AssertPrints(Buffer.Of(new byte[] { 0, 128, 255 }, 3), "Array([  0, 128, 255], dtype=uint8)", "[  0 128 255]");

    [Fact]
    public void Int8_extremes_print_signed() =>
        AssertPrints(Buffer.Of(new sbyte[] { -128, 127 }, 2), "Array([-128,  127], dtype=int8)", "[-128  127]");

    [Fact]
    public void Uint64_max_prints_all_twenty_digits() =>
        AssertPrints(Buffer.Of(new[] { 0UL, ulong.MaxValue }, 2),
            "Array([                   0, 18446744073709551615], dtype=uint64)",
            "[                   0 18446744073709551615]");

    [Fact]
    public void Int64_min_prints_all_digits() =>
        AssertPrints(Buffer.Of(new[] { long.MinValue, 7L }, 2),
            "Array([-9223372036854775808,                    7], dtype=int64)",
            "[-9223372036854775808                    7]");

    [Fact]
    public void More_than_1000_elements_summarise_to_three_at_each_edge() =>
        AssertPrints(Buffer.Of(Enumerable.Range(0, 2000).ToArray(), 2000),
            "Array([   0,    1,    2, ..., 1997, 1998, 1999], dtype=int32)",
            "[   0    1    2 ... 1997 1998 1999]");

    [Fact]
    public void Exactly_1000_elements_are_printed_in_full_and_1001_summarised()
    {
        Assert.DoesNotContain("...", ArrayRepr.Format(Buffer.Of(new bool[1000], 1000), false));
        AssertPrints(Buffer.Of(Enumerable.Repeat(true, 1001).ToArray(), 1001),
            "Array([ True,  True,  True, ...,  True,  True,  True], dtype=bool)",
            "[ True  True  True ...  True  True  True]");
    }

    [Fact]
    public void Summarised_matrix_elides_rows_and_columns_and_formats_only_the_edges() =>
        AssertPrints(Buffer.Of(FloatRange(1200, 4), 40, 30),
            "Array([[0.0000e+00, 2.5000e-01, 5.0000e-01, ..., 6.7500e+00, 7.0000e+00,\n        7.2500e+00],\n       [7.5000e+00, 7.7500e+00, 8.0000e+00, ..., 1.4250e+01, 1.4500e+01,\n        1.4750e+01],\n       [1.5000e+01, 1.5250e+01, 1.5500e+01, ..., 2.1750e+01, 2.2000e+01,\n        2.2250e+01],\n       ...,\n       [2.7750e+02, 2.7775e+02, 2.7800e+02, ..., 2.8425e+02, 2.8450e+02,\n        2.8475e+02],\n       [2.8500e+02, 2.8525e+02, 2.8550e+02, ..., 2.9175e+02, 2.9200e+02,\n        2.9225e+02],\n       [2.9250e+02, 2.9275e+02, 2.9300e+02, ..., 2.9925e+02, 2.9950e+02,\n        2.9975e+02]], dtype=float32)",
            "[[0.0000e+00 2.5000e-01 5.0000e-01 ... 6.7500e+00 7.0000e+00 7.2500e+00]\n [7.5000e+00 7.7500e+00 8.0000e+00 ... 1.4250e+01 1.4500e+01 1.4750e+01]\n [1.5000e+01 1.5250e+01 1.5500e+01 ... 2.1750e+01 2.2000e+01 2.2250e+01]\n ...\n [2.7750e+02 2.7775e+02 2.7800e+02 ... 2.8425e+02 2.8450e+02 2.8475e+02]\n [2.8500e+02 2.8525e+02 2.8550e+02 ... 2.9175e+02 2.9200e+02 2.9225e+02]\n [2.9250e+02 2.9275e+02 2.9300e+02 ... 2.9925e+02 2.9950e+02 2.9975e+02]]");

    [Fact]
    public void Summarised_3d_array_keeps_short_axes_whole() =>
        AssertPrints(Buffer.Of(Enumerable.Range(0, 1200).ToArray(), 2, 3, 200),
            "Array([[[   0,    1,    2, ...,  197,  198,  199],\n        [ 200,  201,  202, ...,  397,  398,  399],\n        [ 400,  401,  402, ...,  597,  598,  599]],\n\n       [[ 600,  601,  602, ...,  797,  798,  799],\n        [ 800,  801,  802, ...,  997,  998,  999],\n        [1000, 1001, 1002, ..., 1197, 1198, 1199]]], dtype=int32)",
            "[[[   0    1    2 ...  197  198  199]\n  [ 200  201  202 ...  397  398  399]\n  [ 400  401  402 ...  597  598  599]]\n\n [[ 600  601  602 ...  797  798  799]\n  [ 800  801  802 ...  997  998  999]\n  [1000 1001 1002 ... 1197 1198 1199]]]");

    [Fact]
    public void Blocks_of_a_3d_array_are_separated_by_a_blank_line() =>
        AssertPrints(Buffer.Of(Enumerable.Range(0, 8).ToArray(), 2, 2, 2),
            "Array([[[0, 1],\n        [2, 3]],\n\n       [[4, 5],\n        [6, 7]]], dtype=int32)",
            "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]");

    [Fact]
    public void Blocks_of_a_4d_array_are_separated_by_two_blank_lines() =>
        AssertPrints(Buffer.Of(Enumerable.Range(0, 4).ToArray(), 2, 1, 1, 2),
            "Array([[[[0, 1]]],\n\n\n       [[[2, 3]]]], dtype=int32)",
            "[[[[0 1]]]\n\n\n [[[2 3]]]]");

    // NumPy 2.3 (numpy/_core/arrayprint.py, FloatingFormat.fillFormat): the array switches to scientific at
    // 10**min(8, finfo(dtype).precision). NumPy 1.24 printed these positionally: [1000000.] and [1000.,  999.].
    [Fact]
    public void Float32_switches_to_scientific_at_1e6() =>
        AssertPrints(Buffer.Of(new[] { 1e6f }, 1), "Array([1.e+06], dtype=float32)", "[1.e+06]");

    [Fact]
    public void Float32_just_below_1e6_stays_positional() =>
        AssertPrints(Buffer.Of(new[] { 999999f }, 1), "Array([999999.], dtype=float32)", "[999999.]");

    [Fact]
    public void Float16_switches_to_scientific_at_1e3() =>
        AssertPrints(Buffer.Of(new[] { (Half)1000, (Half)999 }, 2),
            "Array([1.00e+03, 9.99e+02], dtype=float16)", "[1.00e+03 9.99e+02]");

    // NumPy 2 (NEP 50): `min_val < 0.0001` compares in float32, where float32(1e-4) is not below itself.
    // NumPy 1.24 compared in float64 and printed [1.e-04, 5.e-02].
    [Fact]
    public void Float32_1e_4_compares_in_float32_and_stays_positional() =>
        AssertPrints(Buffer.Of(new[] { 1e-4f, 0.05f }, 2), "Array([0.0001, 0.05  ], dtype=float32)", "[0.0001 0.05  ]");

    // Scalar str (numpy/_core/src/multiarray/scalartypes.c.src, NumPy 2.3): positional from 1e-4 (compared
    // exactly: float32(1e-4) is just below it) up to 1e3 / 1e6 / 1e16, else scientific without trailing zeros.
    [Fact]
    public void Float32_scalar_str_goes_scientific_below_the_exact_1e_4()
    {
        Assert.Equal("1e-04", ArrayRepr.FormatElements(Buffer.Scalar(1e-4f)));
        Assert.Equal("Array(0.0001, dtype=float32)", ArrayRepr.Format(Buffer.Scalar(1e-4f), false));
    }

    [Fact]
    public void Float32_scalar_str_goes_scientific_at_1e6() =>
        AssertPrints(Buffer.Scalar(1e6f), "Array(1.e+06, dtype=float32)", "1e+06");

    [Fact]
    public void Float64_scalar_str_is_positional_below_1e16_and_scientific_from_it()
    {
        AssertPrints(Buffer.Scalar(1e15), "Array(1.e+15, dtype=float64)", "1000000000000000.0");
        AssertPrints(Buffer.Scalar(1e16), "Array(1.e+16, dtype=float64)", "1e+16");
    }

    [Fact]
    public void Float16_max_prints_rounded_rather_than_with_made_up_digits() =>
        AssertPrints(Buffer.Scalar((Half)65504), "Array(6.55e+04, dtype=float16)", "6.55e+04");

    // bfloat16 (ml_dtypes): each element is str(x) = C++ ostream << float, i.e. %g with 6 significant digits,
    // unpadded; bfloat16(1/3) = 0.333984375 prints 0.333984 (jax-ml/jax#18820).
    [Fact]
    public void Bfloat16_elements_print_as_c_stream_text_unpadded() =>
        AssertPrints(Buffer.Of(new[] { (BFloat16)(1f / 3), (BFloat16)1f, (BFloat16)1.5f }, 3),
            "Array([0.333984, 1, 1.5], dtype=bfloat16)", "[0.333984 1 1.5]");

    [Fact]
    public void Bfloat16_scalar_prints_without_a_point() =>
        AssertPrints(Buffer.Scalar((BFloat16)2.5f), "Array(2.5, dtype=bfloat16)", "2.5");

    [Fact]
    public void Bfloat16_large_small_and_special_values_use_g_format() =>
        AssertPrints(Buffer.Of(new[] { (BFloat16)1e10f, (BFloat16)(-1e-5f), (BFloat16)float.NaN, (BFloat16)float.NegativeInfinity, (BFloat16)(-0f), (BFloat16)1e-4f }, 6),
            "Array([9.99922e+09, -1.00136e-05, nan, -inf, -0, 0.000100136], dtype=bfloat16)",
            "[9.99922e+09 -1.00136e-05 nan -inf -0 0.000100136]");

    [Fact]
    public void Shortest_digits_are_those_of_the_values_own_dtype()
    {
        Assert.Equal(new DecimalDigits("1", -1), DecimalDigits.Shortest((double)0.1f, DType.Float32));
        Assert.Equal(new DecimalDigits("10000000149011612", -1), DecimalDigits.Shortest((double)0.1f, DType.Float64));
        Assert.Equal(new DecimalDigits("3333", -1), DecimalDigits.Shortest((double)(Half)(1.0 / 3), DType.Float16));
        Assert.Equal(new DecimalDigits("12345679", 8), DecimalDigits.Shortest(123456789f, DType.Float32));
    }

    [Fact]
    public void Exact_rounding_carries_into_the_next_decade_and_ties_to_even()
    {
        Assert.Equal(new DecimalDigits("1", -4), DecimalDigits.RoundSignificant(9.99999999999e-5, 9));
        Assert.Equal(new DecimalDigits("1", 0), DecimalDigits.RoundAt(0.999999999, 8));
        Assert.Equal(new DecimalDigits("195312", -3), DecimalDigits.RoundAt(0.001953125, 8));
        Assert.Equal(new DecimalDigits("585938", -3), DecimalDigits.RoundAt(0.005859375, 8));
    }
}
