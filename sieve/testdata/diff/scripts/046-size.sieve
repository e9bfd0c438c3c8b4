# size :over/:under at the exact boundary, K suffix (SV-12)
require ["fileinto", "copy"];
if size :over 999 { fileinto :copy "over-999"; }
if size :over 1000 { fileinto :copy "over-1000"; }
if size :under 1000 { fileinto :copy "under-1000"; }
if size :under 1001 { fileinto :copy "under-1001"; }
if size :over 100K { fileinto :copy "over-100K"; }
if size :under 100K { fileinto :copy "under-100K"; }
if size :over 102399 { fileinto :copy "over-102399"; }
