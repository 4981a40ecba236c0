//! A small vector of `Copy` items that keeps the first `N` inline.
//!
//! `smallvec::SmallVec<[T; N]>` would do the job, but it names its item
//! type through a trait projection, which makes `SmallVec<[Param<'a>; N]>`
//! invariant in `'a`; then two messages parsed from different buffers
//! cannot be compared. This type stays covariant and needs no `unsafe`.

use core::fmt;

/// Up to `N` items inline, then all items on the heap.
#[derive(Clone, Copy)]
pub struct InlineVec<T: Copy, const N: usize> {
    len: usize,
    inline: [Option<T>; N],
}

/// The growable form used once more than `N` items are pushed.
#[derive(Clone)]
pub enum Items<T: Copy, const N: usize> {
    /// Few items, no allocation.
    Inline(InlineVec<T, N>),
    /// Many items.
    Heap(Vec<T>),
}

impl<T: Copy, const N: usize> Items<T, N> {
    /// No items.
    pub const fn new() -> Self {
        Items::Inline(InlineVec {
            len: 0,
            inline: [None; N],
        })
    }

    /// Appends an item, moving everything to the heap past `N`.
    pub fn push(&mut self, item: T) {
        match self {
            Items::Inline(v) if v.len < N => {
                v.inline[v.len] = Some(item);
                v.len += 1;
            }
            Items::Inline(v) => {
                let mut heap = Vec::with_capacity(N * 2);
                heap.extend(v.inline.iter().flatten().copied());
                heap.push(item);
                *self = Items::Heap(heap);
            }
            Items::Heap(h) => h.push(item),
        }
    }

    /// How many items.
    pub fn len(&self) -> usize {
        match self {
            Items::Inline(v) => v.len,
            Items::Heap(h) => h.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items in order.
    pub fn iter(&self) -> Iter<'_, T> {
        match self {
            Items::Inline(v) => Iter::Inline(v.inline[..v.len].iter()),
            Items::Heap(h) => Iter::Heap(h.iter()),
        }
    }

    /// The item at `index`.
    pub fn get(&self, index: usize) -> Option<&T> {
        match self {
            Items::Inline(v) if index < v.len => v.inline[index].as_ref(),
            Items::Inline(_) => None,
            Items::Heap(h) => h.get(index),
        }
    }

    /// Keeps the items for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let kept: Vec<T> = self.iter().filter(|t| keep(t)).copied().collect();
        let mut out = Items::new();
        for t in kept {
            out.push(t);
        }
        *self = out;
    }
}

impl<T: Copy, const N: usize> Default for Items<T, N> {
    fn default() -> Self {
        Items::new()
    }
}

impl<T: Copy + PartialEq, const N: usize> PartialEq for Items<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<T: Copy + Eq, const N: usize> Eq for Items<T, N> {}

impl<T: Copy + fmt::Debug, const N: usize> fmt::Debug for Items<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Copy, const N: usize> FromIterator<T> for Items<T, N> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut out = Items::new();
        for t in iter {
            out.push(t);
        }
        out
    }
}

impl<'s, T: Copy, const N: usize> IntoIterator for &'s Items<T, N> {
    type Item = &'s T;
    type IntoIter = Iter<'s, T>;
    fn into_iter(self) -> Iter<'s, T> {
        self.iter()
    }
}

/// Iterator over [`Items`].
#[derive(Debug, Clone)]
pub enum Iter<'s, T> {
    /// Over inline slots.
    Inline(core::slice::Iter<'s, Option<T>>),
    /// Over the heap vector.
    Heap(core::slice::Iter<'s, T>),
}

impl<'s, T> Iterator for Iter<'s, T> {
    type Item = &'s T;

    #[inline]
    fn next(&mut self) -> Option<&'s T> {
        match self {
            Iter::Inline(i) => i.next().and_then(Option::as_ref),
            Iter::Heap(h) => h.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Inline(i) => i.size_hint(),
            Iter::Heap(h) => h.size_hint(),
        }
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spills_in_order() {
        let mut v: Items<u32, 2> = Items::new();
        for i in 0..5 {
            v.push(i);
        }
        assert_eq!(v.len(), 5);
        assert!(matches!(v, Items::Heap(_)));
        assert_eq!(v.iter().copied().collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);
        v.retain(|x| x % 2 == 0);
        assert_eq!(v.iter().copied().collect::<Vec<_>>(), vec![0, 2, 4]);
        let w: Items<u32, 2> = [0, 2, 4].into_iter().collect();
        assert_eq!(v, w);
        assert_eq!(v.get(1), Some(&2));
    }

    #[test]
    fn covariant() {
        fn shorten<'a>(v: Items<&'static str, 2>) -> Items<&'a str, 2> {
            v
        }
        let v: Items<&'static str, 2> = ["a"].into_iter().collect();
        assert_eq!(shorten(v).len(), 1);
    }
}
