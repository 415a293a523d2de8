window.localStorage.setItem("visitor-id", "42");
window.sessionStorage.setItem("visit", "1");
window.indexedDB.open("visitor-db");
window.caches.open("visitor-cache");
