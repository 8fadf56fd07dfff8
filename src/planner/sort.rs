//! `std::sort` exactly as GNU libstdc++ does it (introsort: median-of-three quicksort down to
//! 16-element runs, heapsort past the depth limit, then one final insertion sort). It is not
//! stable, and the reference planner's choices among equally visited MCTS children, or
//! equally costly MPPI samples, are whatever order this leaves them in; reproducing the
//! algorithm step for step reproduces those choices.

const THRESHOLD: usize = 16;

/// Sort `v` with the strict weak order `less`, leaving equal elements where libstdc++'s
/// `std::sort` leaves them.
pub fn std_sort<T: Copy>(v: &mut [T], less: &mut impl FnMut(&T, &T) -> bool) {
    let n = v.len();
    if n > 1 {
        let depth = 2 * (usize::BITS - 1 - n.leading_zeros()) as usize;
        introsort_loop(v, 0, n, depth, less);
        final_insertion_sort(v, 0, n, less);
    }
}

fn introsort_loop<T: Copy>(
    v: &mut [T],
    first: usize,
    mut last: usize,
    mut depth: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) {
    while last - first > THRESHOLD {
        if depth == 0 {
            heap_sort(v, first, last, less);
            return;
        }
        depth -= 1;
        let cut = partition_pivot(v, first, last, less);
        introsort_loop(v, cut, last, depth, less);
        last = cut;
    }
}

fn partition_pivot<T: Copy>(v: &mut [T], first: usize, last: usize, less: &mut impl FnMut(&T, &T) -> bool) -> usize {
    let mid = first + (last - first) / 2;
    move_median_to_first(v, first, first + 1, mid, last - 1, less);
    unguarded_partition(v, first + 1, last, first, less)
}

fn move_median_to_first<T: Copy>(
    v: &mut [T],
    result: usize,
    a: usize,
    b: usize,
    c: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) {
    let pick = if less(&v[a], &v[b]) {
        if less(&v[b], &v[c]) {
            b
        } else if less(&v[a], &v[c]) {
            c
        } else {
            a
        }
    } else if less(&v[a], &v[c]) {
        a
    } else if less(&v[b], &v[c]) {
        c
    } else {
        b
    };
    v.swap(result, pick);
}

fn unguarded_partition<T: Copy>(
    v: &mut [T],
    mut first: usize,
    mut last: usize,
    pivot: usize,
    less: &mut impl FnMut(&T, &T) -> bool,
) -> usize {
    loop {
        while less(&v[first], &v[pivot]) {
            first += 1;
        }
        last -= 1;
        while less(&v[pivot], &v[last]) {
            last -= 1;
        }
        if first >= last {
            return first;
        }
        v.swap(first, last);
        first += 1;
    }
}

fn final_insertion_sort<T: Copy>(v: &mut [T], first: usize, last: usize, less: &mut impl FnMut(&T, &T) -> bool) {
    if last - first > THRESHOLD {
        insertion_sort(v, first, first + THRESHOLD, less);
        for i in first + THRESHOLD..last {
            unguarded_linear_insert(v, i, less);
        }
    } else {
        insertion_sort(v, first, last, less);
    }
}

fn insertion_sort<T: Copy>(v: &mut [T], first: usize, last: usize, less: &mut impl FnMut(&T, &T) -> bool) {
    if first == last {
        return;
    }
    for i in first + 1..last {
        if less(&v[i], &v[first]) {
            let val = v[i];
            v.copy_within(first..i, first + 1);
            v[first] = val;
        } else {
            unguarded_linear_insert(v, i, less);
        }
    }
}

fn unguarded_linear_insert<T: Copy>(v: &mut [T], mut last: usize, less: &mut impl FnMut(&T, &T) -> bool) {
    let val = v[last];
    let mut next = last - 1;
    while less(&val, &v[next]) {
        v[last] = v[next];
        last = next;
        if next == 0 {
            break;
        }
        next -= 1;
    }
    v[last] = val;
}

// ---- heapsort (std::__partial_sort over the whole range) ----

fn heap_sort<T: Copy>(v: &mut [T], first: usize, last: usize, less: &mut impl FnMut(&T, &T) -> bool) {
    make_heap(v, first, last, less);
    let mut end = last;
    while end - first > 1 {
        end -= 1;
        // __pop_heap(first, end, end)
        let value = v[end];
        v[end] = v[first];
        adjust_heap(v, first, 0, end - first, value, less);
    }
}

fn make_heap<T: Copy>(v: &mut [T], first: usize, last: usize, less: &mut impl FnMut(&T, &T) -> bool) {
    let len = last - first;
    if len < 2 {
        return;
    }
    let mut parent = (len - 2) / 2;
    loop {
        let value = v[first + parent];
        adjust_heap(v, first, parent, len, value, less);
        if parent == 0 {
            return;
        }
        parent -= 1;
    }
}

fn adjust_heap<T: Copy>(
    v: &mut [T],
    first: usize,
    mut hole: usize,
    len: usize,
    value: T,
    less: &mut impl FnMut(&T, &T) -> bool,
) {
    let top = hole;
    let mut second = hole;
    while second < (len - 1) / 2 {
        second = 2 * (second + 1);
        if less(&v[first + second], &v[first + second - 1]) {
            second -= 1;
        }
        v[first + hole] = v[first + second];
        hole = second;
    }
    if len & 1 == 0 && second == (len - 2) / 2 {
        second = 2 * (second + 1);
        v[first + hole] = v[first + second - 1];
        hole = second - 1;
    }
    // __push_heap(first, hole, top, value)
    while hole > top {
        let parent = (hole - 1) / 2;
        if !less(&v[first + parent], &value) {
            break;
        }
        v[first + hole] = v[first + parent];
        hole = parent;
    }
    v[first + hole] = value;
}

#[cfg(test)]
mod tests {
    use super::std_sort;

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn sorts_like_any_sort() {
        let mut s = 7u64;
        for n in [0usize, 1, 2, 3, 16, 17, 40, 100, 1000, 5000] {
            let mut v: Vec<u64> = (0..n).map(|_| lcg(&mut s) % 50).collect();
            let mut w = v.clone();
            std_sort(&mut v, &mut |a, b| a < b);
            w.sort();
            assert_eq!(v, w, "n = {n}");
        }
    }

    #[test]
    fn heapsort_path_sorts() {
        // A median-of-three killer sequence drives the depth limit to zero on big inputs.
        let n = 4096usize;
        let mut v: Vec<usize> = (0..n).map(|i| if i % 2 == 0 { i } else { n - i }).collect();
        let mut w = v.clone();
        std_sort(&mut v, &mut |a, b| a < b);
        w.sort();
        assert_eq!(v, w);
    }

    #[test]
    fn all_equal_keys_keep_libstdcxx_order() {
        // A 40-way tie, worked by hand through libstdc++: the median of (1, 20, 39) goes to the
        // front (swap 0/20), Hoare partitioning swaps the pairs (k, 40-k), the right half does
        // the same around 30, the left half around 10, and element 30 ends up first. The
        // reference planner's best child in its 40-way tie is indeed the 31st one created.
        let mut v: Vec<(u32, usize)> = (0..40).map(|i| (0, i)).collect();
        std_sort(&mut v, &mut |a, b| a.0 < b.0);
        assert_eq!(v[0].1, 30);
        let mut ids: Vec<usize> = v.iter().map(|x| x.1).collect();
        ids.sort();
        assert_eq!(ids, (0..40).collect::<Vec<_>>());
    }
}
