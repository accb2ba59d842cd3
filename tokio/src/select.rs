//! `select!`: tokio's macro, with the starting branch drawn from the simulation's seed.
//!
//! tokio's `select!` without `biased;` starts polling at a branch drawn from tokio's
//! thread-local random numbers, which no seed controls: two runs of one seed would take
//! different branches when several are ready. The facade's `select!` expands, inside a
//! simulation, to tokio's own `select! { biased; ... }` with the branches rotated to start at a
//! branch drawn from `simloop::random` (the seeded RNG): the same fairness, replayable. Outside
//! a simulation it is tokio's `select!` unchanged, and with `biased;` it is tokio's in both
//! worlds.
//!
//! The rotation is chosen at run time among the branches' `n` rotations, each a separate
//! `biased` expansion: the macro expands to `n + 1` copies of tokio's `select!` (compile time
//! grows with the square of the branch count; only one copy runs).

/// Waits on several futures at once and runs the handler of the first to complete; tokio's
/// `select!`, with the same syntax (`pattern = future, if condition => handler`, `else`,
/// `biased;`).
///
/// Inside a simulation the branch polled first is drawn from the seeded RNG instead of tokio's
/// thread-local one, so a seed replays the same choices. Outside a simulation, and with
/// `biased;`, it is tokio's `select!` unchanged.
///
/// # Examples
///
/// ```
/// use simloop_tokio as tokio;
/// use std::time::Duration;
///
/// simloop::run(3, async {
///     let winner = tokio::select! {
///         _ = tokio::time::sleep(Duration::from_secs(2)) => "slow",
///         _ = tokio::time::sleep(Duration::from_secs(1)) => "fast",
///     };
///     assert_eq!(winner, "fast");
/// });
/// ```
#[macro_export]
macro_rules! select {
    (biased; $($rest:tt)*) => {
        $crate::__private::real::select! { biased; $($rest)* }
    };
    ($($rest:tt)*) => {
        if $crate::__private::is_simulating() {
            $crate::__select_seeded!(@parse [] [] $($rest)*)
        } else {
            $crate::__private::real::select! { $($rest)* }
        }
    };
}

/// The body of [`select!`] inside a simulation: splits the branches, then rotates them.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_seeded {
    // ---- Split the input into branches `{ pattern = future, if condition => { handler }, }`.
    (@parse [$($b:tt)*] [$($e:tt)*]) => {
        $crate::__select_seeded!(@start [$($b)*] [$($e)*])
    };
    (@parse [$($b:tt)*] [$($e:tt)*] , $($rest:tt)*) => {
        $crate::__select_seeded!(@parse [$($b)*] [$($e)*] $($rest)*)
    };
    (@parse [$($b:tt)*] [] else => $h:block $($rest:tt)*) => {
        $crate::__select_seeded!(@parse [$($b)*] [else => $h,] $($rest)*)
    };
    (@parse [$($b:tt)*] [] else => $h:expr, $($rest:tt)*) => {
        $crate::__select_seeded!(@parse [$($b)*] [else => { $h },] $($rest)*)
    };
    (@parse [$($b:tt)*] [] else => $h:expr) => {
        $crate::__select_seeded!(@parse [$($b)*] [else => { $h },])
    };
    (@parse [$($b:tt)*] [$($e:tt)*] $p:pat = $f:expr, if $c:expr => $h:block $($rest:tt)*) => {
        $crate::__select_seeded!(@parse [$($b)* { $p = $f, if $c => $h, }] [$($e)*] $($rest)*)
    };
    (@parse [$($b:tt)*] [$($e:tt)*] $p:pat = $f:expr => $h:block $($rest:tt)*) => {
        $crate::__select_seeded!(@parse [$($b)* { $p = $f => $h, }] [$($e)*] $($rest)*)
    };
    (@parse [$($b:tt)*] [$($e:tt)*] $p:pat = $f:expr, if $c:expr => $h:expr, $($rest:tt)*) => {
        $crate::__select_seeded!(@parse [$($b)* { $p = $f, if $c => { $h }, }] [$($e)*] $($rest)*)
    };
    (@parse [$($b:tt)*] [$($e:tt)*] $p:pat = $f:expr, if $c:expr => $h:expr) => {
        $crate::__select_seeded!(@parse [$($b)* { $p = $f, if $c => { $h }, }] [$($e)*])
    };
    (@parse [$($b:tt)*] [$($e:tt)*] $p:pat = $f:expr => $h:expr, $($rest:tt)*) => {
        $crate::__select_seeded!(@parse [$($b)* { $p = $f => { $h }, }] [$($e)*] $($rest)*)
    };
    (@parse [$($b:tt)*] [$($e:tt)*] $p:pat = $f:expr => $h:expr) => {
        $crate::__select_seeded!(@parse [$($b)* { $p = $f => { $h }, }] [$($e)*])
    };

    // ---- Draw the first branch, then pick the rotation that starts there.
    (@start [$($b:tt)*] [$($e:tt)*]) => {{
        let __simloop_select_start =
            $crate::__private::select_start(0usize $(+ $crate::__select_seeded!(@one $b))*);
        $crate::__select_seeded!(@rotate __simloop_select_start, 0usize; [] [$($b)*] [$($e)*])
    }};
    (@one $b:tt) => {
        1usize
    };
    (@rotate $s:ident, $i:expr; [$($before:tt)*] [] [$($e:tt)*]) => {
        ::core::unreachable!("simloop-tokio: select! drew a branch past the last")
    };
    (@rotate $s:ident, $i:expr; [$($before:tt)*] [$head:tt $($after:tt)*] [$($e:tt)*]) => {
        if $s == $i {
            $crate::__select_seeded!(@emit [$head $($after)* $($before)*] [$($e)*])
        } else {
            $crate::__select_seeded!(
                @rotate $s, $i + 1usize; [$($before)* $head] [$($after)*] [$($e)*]
            )
        }
    };
    (@emit [$({ $($branch:tt)* })*] [$($e:tt)*]) => {
        $crate::__private::real::select! { biased; $($($branch)*)* $($e)* }
    };
}
