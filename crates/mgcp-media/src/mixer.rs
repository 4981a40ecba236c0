//! Mix-minus for conferences: every member hears the sum of all the
//! others, never itself. The sum is taken once in 32 bits and each
//! member's own contribution subtracted, so `n` members cost `2n` passes
//! instead of `n²`; results saturate to 16 bits.

/// Mixes `inputs` (one frame per member, all `frame` samples long; a
/// member that contributes nothing passes silence) into `outputs`.
/// `sum` is scratch space of at least `frame` samples.
pub fn mix_minus(inputs: &[&[i16]], outputs: &mut [&mut [i16]], sum: &mut [i32]) {
    sum.fill(0);
    for input in inputs {
        accumulate(sum, input);
    }
    for (k, out) in outputs.iter_mut().enumerate() {
        let own = inputs.get(k).copied().unwrap_or(&[]);
        minus(sum, own, out);
    }
}

/// Adds one member's frame onto the running sum.
pub fn accumulate(sum: &mut [i32], input: &[i16]) {
    for (s, x) in sum.iter_mut().zip(input) {
        *s += i32::from(*x);
    }
}

/// One member's output: the sum without its own frame, saturated.
pub fn minus(sum: &[i32], own: &[i16], out: &mut [i16]) {
    for (i, o) in out.iter_mut().enumerate().take(sum.len()) {
        let mine = own.get(i).copied().map_or(0, i32::from);
        *o = saturate(sum[i] - mine);
    }
}

/// Adds `src` onto `dst`, saturating.
pub fn add(dst: &mut [i16], src: &[i16]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = d.saturating_add(*s);
    }
}

#[inline]
fn saturate(x: i32) -> i16 {
    x.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_member_hears_the_others() {
        let a = [100i16, -5, 0];
        let b = [10i16, 5, 7];
        let c = [1i16, 0, -7];
        let (mut oa, mut ob, mut oc) = ([0i16; 3], [0i16; 3], [0i16; 3]);
        let mut sum = [0i32; 3];
        mix_minus(&[&a, &b, &c], &mut [&mut oa, &mut ob, &mut oc], &mut sum);
        assert_eq!(oa, [11, 5, 0]);
        assert_eq!(ob, [101, -5, -7]);
        assert_eq!(oc, [110, 0, 7]);
    }

    #[test]
    fn sums_saturate_without_wrapping() {
        let loud = [30000i16; 2];
        let quiet = [0i16; 2];
        let (mut o1, mut o2, mut o3) = ([0i16; 2], [0i16; 2], [0i16; 2]);
        let mut sum = [0i32; 2];
        mix_minus(
            &[&loud, &loud, &quiet],
            &mut [&mut o1, &mut o2, &mut o3],
            &mut sum,
        );
        assert_eq!(o3, [i16::MAX; 2], "60000 saturates");
        assert_eq!(o1, [30000; 2]);
        let mut d = [i16::MIN + 1, 5];
        add(&mut d, &[-10, 5]);
        assert_eq!(d, [i16::MIN, 10]);
    }

    #[test]
    fn a_lone_member_hears_silence() {
        let a = [500i16; 4];
        let mut oa = [1i16; 4];
        mix_minus(&[&a], &mut [&mut oa], &mut [0i32; 4]);
        assert_eq!(oa, [0; 4]);
    }
}
