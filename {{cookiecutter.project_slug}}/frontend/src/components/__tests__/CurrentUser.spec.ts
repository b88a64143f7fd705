import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'

import CurrentUser from '../CurrentUser.vue'
import { answerFetch } from './respond'

const ANONYMOUS = { authenticated: false, username: '', email: '', is_staff: false, csrf_token: 'token123' }
const ADA = { authenticated: true, username: 'ada', email: 'ada@example.com', is_staff: false, csrf_token: 'rotated' }

afterEach(() => vi.unstubAllGlobals())

describe('CurrentUser', () => {
  it('shows the signed-in user from /api/me/', async () => {
    answerFetch({ 'GET /api/me/': { body: ADA } })
    const wrapper = mount(CurrentUser)
    await flushPromises()
    expect(wrapper.get('[data-testid="current-user"]').text()).toBe('Signed in as ada')
  })

  it('signs in with the CSRF token the API handed over', async () => {
    const fetch = answerFetch({ 'GET /api/me/': { body: ANONYMOUS }, 'POST /api/session/': { body: ADA } })
    const wrapper = mount(CurrentUser)
    await flushPromises()
    expect(wrapper.get('[data-testid="current-user"]').text()).toBe('Not signed in')

    await wrapper.get('input[name="username"]').setValue('ada')
    await wrapper.get('input[name="password"]').setValue('secret')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    const [, init] = fetch.mock.calls[1]!
    expect(init?.headers).toMatchObject({ 'X-CSRFToken': 'token123' })
    expect(JSON.parse(String(init?.body))).toEqual({ username: 'ada', password: 'secret' })
    expect(wrapper.get('[data-testid="current-user"]').text()).toBe('Signed in as ada')
  })

  it('shows the reason a sign-in was refused', async () => {
    answerFetch({
      'GET /api/me/': { body: ANONYMOUS },
      'POST /api/session/': { status: 400, body: { detail: 'Wrong username or password.' } },
    })
    const wrapper = mount(CurrentUser)
    await flushPromises()
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toBe('Wrong username or password.')
  })
})
