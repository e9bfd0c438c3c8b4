# RFC 5183 §4: :contains "" succeeds only for an item the implementation knows
require ["environment", "fileinto"];
if environment :contains "item" "" { fileinto "item"; }
if environment :contains "location" "" { fileinto "location"; }
if environment :contains "phase" "" { fileinto "phase"; }
if environment :contains "name" "" { fileinto "name"; }
if environment :contains "version" "" { fileinto "version"; }
