document.cookie = "visitor=42; path=/; max-age=3600";
