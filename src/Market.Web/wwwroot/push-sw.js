// The market's service worker: shows a household's Web Push notifications and opens the app on a click.
self.addEventListener('push', event => {
    let data = {};
    try {
        data = event.data ? event.data.json() : {};
    } catch {
        data = { body: event.data ? event.data.text() : '' };
    }

    event.waitUntil(self.registration.showNotification(data.title || 'Community energy market', {
        body: data.body || '',
        icon: 'favicon.svg',
        data: { url: data.url || 'notifications' },
    }));
});

self.addEventListener('notificationclick', event => {
    event.notification.close();
    event.waitUntil(self.clients.openWindow(event.notification.data.url));
});
